package org.cnnj.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * ONNX's own backend node tests (Debian package libonnx-testdata, read where it installs them) for every op
 * GraphNetwork maps: each float case either gives ONNX's expected output (≤ 1e-4) or is refused with a message;
 * none is silently wrong and none crashes. A case's extra graph inputs (weights, bounds, shapes) become constants,
 * as they are in exported models.
 */
class OnnxNodeTest {
    static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");

    enum Outcome {
        PASSED,
        REFUSED,
        WRONG,
        CRASHED
    }

    @Test
    void everyMappedOpIsRightOrRefusedByName() throws IOException {
        Assumptions.assumeTrue(
                Files.isDirectory(NODE_TESTS),
                "ONNX's node tests are not installed (apt-get install libonnx-testdata): not run");
        Map<Outcome, List<String>> results = new TreeMap<>();
        Map<String, String> bad = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(NODE_TESTS)) {
            for (Path dir : dirs.sorted().toList()) {
                Path model = dir.resolve("model.onnx"), data = dir.resolve("test_data_set_0");
                if (!Files.isRegularFile(model) || !Files.isDirectory(data)) continue;
                OnnxModelInfo info = OnnxModelInfo.read(model);
                if (info.nodes().isEmpty()
                        || !info.nodes().stream().allMatch(n -> GraphNetwork.SUPPORTED.contains(n.opType()))) continue;
                if (!Files.exists(data.resolve("input_0.pb")) || !Files.exists(data.resolve("output_0.pb"))) continue;
                OnnxModelInfo.TensorValue x = read(data.resolve("input_0.pb"));
                if (x.floats() == null
                        || info.outputs().isEmpty()
                        || info.inputs().get(0).elementType() != 1)
                    continue; // float tensor cases only (not sequences, integers, doubles)
                String name = dir.getFileName().toString();
                String[] why = {""};
                Outcome o = run(info, data, x, why);
                results.computeIfAbsent(o, k -> new ArrayList<>()).add(name);
                if (o == Outcome.WRONG || o == Outcome.CRASHED) bad.put(name, why[0]);
                if (o == Outcome.REFUSED && System.getenv("CNNJ_NODE_TESTS_VERBOSE") != null)
                    System.out.println("refused " + name + ": " + why[0]);
            }
        }
        System.out.println("ONNX node tests of GraphNetwork's ops: " + results);
        assertTrue(results.getOrDefault(Outcome.PASSED, List.of()).size() > 40, "cases passed: " + results);
        assertTrue(bad.isEmpty(), "wrong or crashed: " + bad);
    }

    private static Outcome run(OnnxModelInfo info, Path data, OnnxModelInfo.TensorValue x, String[] why) {
        try {
            OnnxModelInfo withConstants = constants(info, data);
            GraphNetwork net;
            try {
                net = GraphNetwork.of(withConstants, data.getParent().resolve("model.onnx"));
            } catch (IllegalArgumentException e) {
                return refused(e, why);
            }
            net.train(false);
            Tensor input = Tensor.of(x.floats(), ints(x.dims()));
            Tensor y;
            try {
                y = GradMode.noGrad(() -> net.forward(input));
            } catch (IllegalArgumentException e) {
                return refused(e, why);
            }
            OnnxModelInfo.TensorValue expected = read(data.resolve("output_0.pb"));
            if (expected.floats() == null) return Outcome.PASSED; // a non-float output is not compared
            if (!Arrays.equals(ints(expected.dims()), y.shape())) {
                why[0] = "shape " + Arrays.toString(y.shape()) + " instead of " + Arrays.toString(expected.dims());
                return Outcome.WRONG;
            }
            double worst = 0;
            for (int i = 0; i < y.size(); i++) {
                float e = expected.floats()[i];
                worst = Math.max(worst, Math.abs(e - y.data()[i]) / Math.max(1, Math.abs(e)));
            }
            if (worst > 1e-4) {
                why[0] = "differs by " + worst;
                return Outcome.WRONG;
            }
            return Outcome.PASSED;
        } catch (RuntimeException | IOException e) {
            why[0] = e.toString();
            return Outcome.CRASHED;
        }
    }

    private static Outcome refused(IllegalArgumentException e, String[] why) {
        why[0] = String.valueOf(e.getMessage());
        return e.getMessage() == null || e.getMessage().isBlank() ? Outcome.CRASHED : Outcome.REFUSED;
    }

    /** The graph with inputs 1.. turned into initializers from their input_k.pb (floats or int64). */
    private static OnnxModelInfo constants(OnnxModelInfo info, Path data) throws IOException {
        Map<String, float[]> weights = new LinkedHashMap<>(info.weights());
        Map<String, long[]> shapes = new LinkedHashMap<>(info.weightShapes()),
                integers = new LinkedHashMap<>(info.integerWeights());
        for (int k = 1; k < info.inputs().size(); k++) {
            Path pb = data.resolve("input_" + k + ".pb");
            if (!Files.exists(pb)) continue;
            OnnxModelInfo.TensorValue v = read(pb);
            String name = info.inputs().get(k).name();
            shapes.put(name, v.dims());
            if (v.floats() != null) weights.put(name, v.floats());
            if (v.integers() != null) integers.put(name, v.integers());
        }
        return new OnnxModelInfo(
                info.inputs().subList(0, 1),
                info.outputs(),
                info.opset(),
                info.metadata(),
                weights,
                shapes,
                info.nodes(),
                integers);
    }

    private static OnnxModelInfo.TensorValue read(Path pb) throws IOException {
        return OnnxModelInfo.tensorProto(Files.readAllBytes(pb));
    }

    private static int[] ints(long[] dims) {
        return Arrays.stream(dims).mapToInt(d -> (int) d).toArray();
    }
}
