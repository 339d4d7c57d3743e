package org.cnnj.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.GradCheck;
import org.cnnj.testing.Ort;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model with its large weights stored as FLOAT16: half the bytes, the same graph for ORT and the Java engine. */
class Float16WeightsTest {
    @TempDir
    Path dir;

    @Test
    void halvesTheFileAndBothEnginesReadTheSameWeights() throws Exception {
        UNet net = new UNet(new UNetConfig(1, 3, 2, 16, true, false, 0f), new Rng(1));
        net.train(false);
        byte[] full = OnnxExport.export(net, new int[] {1, 1, 32, 32}, Map.of("classes", "a,b,c"));
        Float16Weights.Result half = Float16Weights.convert(full);

        assertTrue(half.tensors() >= 8, "converted " + half.tensors() + " tensors");
        assertTrue(half.model().length < 0.56 * full.length, half.model().length + " of " + full.length + " bytes");
        OnnxModelInfo before = OnnxModelInfo.parse(full), after = OnnxModelInfo.parse(half.model());
        assertEquals(before.weights().keySet(), after.weights().keySet(), "the casts give the weights their names");
        assertEquals(before.nodes().size(), after.nodes().size(), "the casts are folded away when read");
        assertEquals(before.metadata(), after.metadata());
        long converted = 0;
        for (var e : before.weights().entrySet()) {
            float[] w = e.getValue(), h = after.weights().get(e.getKey());
            assertArrayEquals(
                    before.weightShapes().get(e.getKey()), after.weightShapes().get(e.getKey()));
            boolean large = w.length >= Float16Weights.MIN_VALUES;
            for (int i = 0; i < w.length; i++) {
                float expected = large ? Float16.toFloat(Float16.fromFloat(w[i])) : w[i];
                assertEquals(expected, h[i], e.getKey() + "[" + i + "]");
            }
            if (large) converted += w.length;
        }
        assertEquals(converted, half.values());

        // ORT folds the casts; the Java engine reads the same rounded weights: the two agree as for any model
        Tensor x = GradCheck.uniform(new Rng(2), 1, 1, 48, 40).requiresGrad(false);
        Path file = dir.resolve("half.onnx");
        Files.write(file, half.model());
        GraphNetwork java = GraphNetwork.load(file);
        java.train(false);
        float[] ort = Ort.run(half.model(), x),
                javaOut = GradMode.noGrad(() -> java.forward(x)).data();
        assertTrue(Close.maxAbsDiff(javaOut, ort) <= 1e-4, "Java vs ORT: " + Close.maxAbsDiff(javaOut, ort));
        // and the rounding moves the outputs little next to their spread
        float[] exact = Ort.run(full, x);
        double spread = 0;
        for (float v : exact) spread = Math.max(spread, Math.abs(v));
        double moved = Close.maxAbsDiff(exact, ort);
        assertTrue(
                moved > 0 && moved < 5e-3 * spread, "float16 weights moved the outputs by " + moved + " of " + spread);

        assertEquals(0, Float16Weights.convert(half.model()).tensors(), "nothing left to convert");
    }
}
