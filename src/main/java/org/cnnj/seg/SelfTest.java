package org.cnnj.seg;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnj.io.AtomicFiles;
import org.cnnj.kernel.Kernels;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.util.Parallel;

/**
 * What a user (or a support request) needs to know about an installation, and proof that it computes
 * correctly: ONNX Runtime version and providers, whether CUDA loads (and ORT's words for what is
 * missing if not), the GEMM path (Vector API or plain Java), threads; then the shipped nuclei model
 * (bundled in the jar) segments a bundled 128×128 image on the CPU and, where available, on CUDA, and
 * the per-class pixel counts and object count are compared with the stored expected result.
 */
public final class SelfTest {
    /** The report lines and whether every check passed. */
    public record Report(List<String> lines, boolean passed) {
        public String text() {
            return String.join("\n", lines);
        }
    }

    private static final String RESOURCES = "/org/cnnj/selftest/";

    private SelfTest() {}

    public static Report run() {
        List<String> lines = new ArrayList<>();
        boolean passed = true;
        lines.add("CNN-J self-test");
        lines.add("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        lines.add("GEMM kernel: " + Kernels.describe()
                + (Kernels.vectorOrNull() == null
                        ? " (start Java with --add-modules jdk.incubator.vector for ~4x faster training)"
                        : ""));
        lines.add("threads: " + Parallel.threads());
        try {
            lines.add("onnxruntime: " + OrtEngine.environment().getVersion() + ", providers "
                    + OrtEnvironment.getAvailableProviders());
        } catch (RuntimeException | LinkageError e) {
            lines.add("onnxruntime: cannot load (" + e
                    + "); put the onnxruntime jar next to CNN-J (see README, Installation)");
            return new Report(lines, false);
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cnnj-selftest");
            Path model = extract(dir, "nuclei.onnx");
            extract(dir, "nuclei.json");
            float[] image = image(dir);
            String[] expected =
                    new String(resource("expected.txt").readAllBytes()).trim().split("\\s+");
            for (Device device : new Device[] {Device.CPU, Device.CUDA}) {
                String[] why = {null};
                try (OrtEngine engine = OrtEngine.open(model, device, 0, line -> why[0] = line)) {
                    String result = check(engine, SegmentationSpec.read(Sidecars.of(model)), image, expected);
                    lines.add(device.name().toLowerCase(Locale.ROOT) + ": " + result);
                    passed &= result.startsWith("OK");
                } catch (IOException e) {
                    if (device == Device.CPU) {
                        lines.add("cpu: FAILED to run the model: " + e.getMessage());
                        passed = false;
                    } else {
                        lines.add("cuda: not available: " + e.getMessage());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            lines.add("FAILED: " + e.getMessage());
            passed = false;
        } finally {
            AtomicFiles.deleteTree(dir);
        }
        lines.add(passed ? "self-test passed" : "self-test FAILED");
        return new Report(lines, passed);
    }

    /** Per-class pixel counts within 0.5% and the object count within 1 of the stored result. */
    static String check(Engine engine, SegmentationSpec spec, float[] image, String[] expected) {
        int size = 128;
        long t0 = System.nanoTime();
        Segmenter.Result r = Segmenter.of(engine, spec)
                .apply(
                        new float[][] {image},
                        size,
                        size,
                        Segmenter.Options.of(spec).withTile(size),
                        null);
        double ms = (System.nanoTime() - t0) / 1e6;
        long[] counts = new long[spec.classChannels()];
        for (byte c : r.classes()) counts[c]++;
        StringBuilder got = new StringBuilder();
        boolean ok = r.objectCount() >= Integer.parseInt(expected[0]) - 1
                && r.objectCount() <= Integer.parseInt(expected[0]) + 1;
        for (int c = 0; c < counts.length; c++) {
            long e = Long.parseLong(expected[c + 1]);
            ok &= Math.abs(counts[c] - e) <= 0.005 * size * size;
            got.append(c == 0 ? "" : "/").append(counts[c]);
        }
        return String.format(
                Locale.ROOT,
                "%s: %s, %d objects, class pixels %s (expected %s objects, %s) in %.0f ms",
                ok ? "OK" : "WRONG RESULT",
                engine.describe(),
                r.objectCount(),
                got,
                expected[0],
                String.join("/", Arrays.copyOfRange(expected, 1, expected.length)),
                ms);
    }

    static float[] image(Path dir) throws IOException {
        byte[] raw = resource("input-128x128-u8.raw").readAllBytes();
        float[] image = new float[raw.length];
        for (int i = 0; i < raw.length; i++) image[i] = raw[i] & 0xff;
        return image;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = SelfTest.class.getResourceAsStream(RESOURCES + name);
        if (in == null) throw new IOException("the CNN-J jar lacks " + RESOURCES + name + "; reinstall CNN-J");
        return in;
    }

    private static Path extract(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = resource(name)) {
            Files.copy(in, p);
        }
        return p;
    }
}
