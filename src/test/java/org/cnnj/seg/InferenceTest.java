package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;
import org.cnnj.nn.Init;
import org.cnnj.nn.Linear;
import org.cnnj.nn.Module;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exported model applied through ONNX Runtime and the Java engine, whole and tiled. */
class InferenceTest {
    @TempDir
    static Path dir;

    static Path model;
    static SegmentationSpec spec;

    @BeforeAll
    static void exportATrainedModel() throws IOException {
        Rng rng = new Rng(8);
        UNetConfig config = new UNetConfig(1, 3, 2, 4, true, false, 0f);
        UNet net = new UNet(config, rng);
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-2));
        for (int s = 0; s < 3; s++) {
            float[] img = new float[2 * 16 * 16];
            int[] labels = new int[img.length];
            for (int i = 0; i < img.length; i++) {
                img[i] = rng.normal();
                labels[i] = img[i] > 0.5f ? 1 : img[i] < -0.5f ? 2 : 0;
            }
            adam.zeroGrad();
            Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(Tensor.of(img, 2, 1, 16, 16)), labels));
            adam.step();
        }
        model = dir.resolve("tiny.onnx");
        spec = SegmentationSpec.forUNet(
                config,
                List.of("background", "interior", "boundary"),
                SegmentationTask.INSTANCES_3CLASS,
                Normalization.percentile(1, 99.8),
                Map.of("command", "test"),
                0);
        OnnxExport.export(net, new int[] {1, 1, 16, 16}, Map.of(), model);
        spec.write(Sidecars.of(model));
    }

    private static float[][] image(long seed, int w, int h) {
        Rng rng = new Rng(seed);
        float[] p = new float[w * h];
        for (int i = 0; i < p.length; i++) p[i] = 100 + 30 * rng.normal();
        return new float[][] {p};
    }

    private static Segmenter.Result segment(Engine e, int tile, float[][] img, int w, int h) {
        return Segmenter.of(e, spec)
                .apply(
                        img,
                        w,
                        h,
                        Segmenter.Options.of(spec)
                                .withTile(tile)
                                .withProbabilities(true)
                                .withMinObjectPixels(1),
                        null);
    }

    @Test
    void sidecarRoundTripsAndNamesItsProblems() throws IOException {
        SegmentationSpec back = SegmentationSpec.read(Sidecars.of(model));
        assertEquals(spec, back);
        assertEquals(28, spec.halo(), "8·2^2 − 6 = 26, rounded up to a multiple of 4");
        Path bad = dir.resolve("bad.json");
        Files.writeString(
                bad,
                "{ \"format\": 1, \"axes\": \"NHWC\", \"inputChannels\": 1, \"classes\": [\"a\"], \"output\": \"logits\", \"task\": \"semantic\", \"tileMultiple\": 1, \"halo\": 0 }");
        assertTrue(assertThrows(IOException.class, () -> SegmentationSpec.read(bad))
                .getMessage()
                .contains("NHWC"));
        Files.writeString(bad, "{ not json");
        assertTrue(assertThrows(IOException.class, () -> SegmentationSpec.read(bad))
                .getMessage()
                .contains("not valid JSON"));
    }

    @Test
    void tiledEqualsWholeImageAndBothEnginesAgree() throws IOException {
        int w = 70, h = 53; // not multiples of anything: exercises padding and partial tiles
        float[][] img = image(3, w, h);
        try (OrtEngine ort = OrtEngine.open(model, Device.CPU, 1, msg -> {});
                JavaEngine java = new JavaEngine(Segmenter.loadNetwork(model, spec))) {
            Segmenter.Result whole = segment(ort, 128, img, w, h);
            Segmenter.Result tiled = segment(ort, 16, img, w, h);
            Segmenter.Result javaTiled = segment(java, 24, img, w, h);
            for (int k = 0; k < 3; k++) {
                double tiling = Close.maxAbsDiff(whole.probabilities()[k], tiled.probabilities()[k]);
                double engines =
                        Close.maxAbsDiff(whole.probabilities()[k], javaTiled.probabilities()[k]);
                assertTrue(tiling <= 1e-4, "tiled vs whole, class " + k + ": " + tiling);
                assertTrue(engines <= 1e-4, "Java vs ORT, class " + k + ": " + engines);
            }
            assertArrayEquals(whole.objects(), tiled.objects());
            assertTrue(ort.describe().contains("on cpu"), ort.describe());
        }
    }

    @Test
    void autoFallsBackToCpuWithOneClearLineAndCudaFails() throws IOException {
        List<String> log = new ArrayList<>();
        try (OrtEngine e = OrtEngine.open(model, Device.AUTO, 0, log::add);
                OrtEngine again = OrtEngine.open(model, Device.AUTO, 0, log::add)) {
            // This machine has no GPU (CI never has one): AUTO must say why (once a session) and still work.
            if (e.describe().contains("cuda")) return;
            assertTrue(OrtEngine.cudaProblem() != null, "the reason is kept for Devices / Self-test");
            assertTrue(log.size() <= 1, "said once a session, not on every open: " + log);
            if (!log.isEmpty())
                assertTrue(
                        log.get(0).contains("CUDA not available")
                                && log.get(0).contains(OrtEngine.cudaProblem())
                                && log.get(0).contains("running on the CPU"),
                        log.get(0));
            assertEquals(1, e.run(Tensor.zeros(1, 1, 8, 8)).dim(0));
            var cuda = assertThrows(IOException.class, () -> OrtEngine.open(model, Device.CUDA, 0, m -> {}));
            assertTrue(
                    cuda.getMessage().contains("CUDA was requested")
                            && cuda.getMessage().contains("cuDNN 9"),
                    cuda.getMessage());
        }
    }

    @Test
    void badModelsAndImagesAreExplained() throws IOException {
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model");
        assertTrue(assertThrows(IOException.class, () -> OrtEngine.open(text, Device.CPU, 1, m -> {}))
                .getMessage()
                .contains("could not be loaded"));
        assertTrue(assertThrows(IOException.class, () -> Segmenter.loadNetwork(text, spec))
                .getMessage()
                .contains("not a valid ONNX model"));
        byte[] bytes = Files.readAllBytes(model);
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        assertTrue(assertThrows(IOException.class, () -> Segmenter.loadNetwork(cut, spec))
                .getMessage()
                .contains("truncated"));
        assertThrows(IOException.class, () -> OrtEngine.open(cut, Device.CPU, 1, m -> {}));
        assertTrue(assertThrows(
                        IOException.class, () -> OrtEngine.open(dir.resolve("missing.onnx"), Device.CPU, 1, m -> {}))
                .getMessage()
                .contains("does not exist"));

        Module flat = new Module() {
            private final Linear d = child("d", new Linear(6, 2, Init.XAVIER_UNIFORM, new Rng(1)));

            @Override
            public Tensor forward(Tensor x) {
                return d.forward(x);
            }
        };
        Path vector = dir.resolve("vector.onnx");
        Files.write(vector, OnnxExport.export(flat, new int[] {1, 6}, null));
        var layout = assertThrows(IllegalArgumentException.class, () -> OrtEngine.open(vector, Device.CPU, 1, m -> {}));
        assertTrue(layout.getMessage().contains("[N, C, H, W]"), layout.getMessage());

        try (OrtEngine e = OrtEngine.open(model, Device.CPU, 1, m -> {})) {
            var channels = assertThrows(
                    IllegalArgumentException.class,
                    () -> segment(e, 16, new float[][] {new float[64], new float[64]}, 8, 8));
            assertTrue(
                    channels.getMessage().contains("expects 1 channel(s) but the image has 2"), channels.getMessage());
            Segmenter.Result tiny =
                    segment(e, 16, image(1, 3, 2), 3, 2); // smaller than one tile multiple: padded, still works
            assertEquals(6, tiny.classes().length);
        }
    }
}
