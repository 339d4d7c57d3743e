package org.cnnj.det;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.data.Resize;
import org.cnnj.ij.Tiffs;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.GradCheck;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detector's two exported graphs against the Java forward pass, and tiling. */
class ObjectDetectorTest {
    @TempDir
    Path dir;

    @Test
    void exportedGraphsEqualTheJavaForwardPass() throws Exception {
        DetectorConfig c = DetectorConfig.defaults(2, List.of("a", "b", "c"));
        Detector net = new Detector(c, new Rng(7));
        // Non-trivial batch-norm statistics, so the exported running stats matter.
        for (float[] b : net.buffers().values())
            for (int i = 0; i < b.length; i++) b[i] = b[i] == 1f ? 1.5f + 0.01f * i : 0.1f * (i % 5);
        Path model = dir.resolve("det.onnx");
        DetectorSpec spec = DetectorSpec.of(c, "x", null).withHead(model);
        ObjectDetector.save(net, spec, model);
        assertTrue(Files.exists(dir.resolve("det.head.onnx")) && Files.exists(dir.resolve("det.json")));
        net.train(false);
        Tensor image = GradMode.noGrad(
                () -> GradCheck.uniform(new Rng(8), 1, 2, 72, 88).requiresGrad(false));
        Tensor crops = GradCheck.uniform(new Rng(9), 5, c.featureChannels(), c.roiSize(), c.roiSize())
                .requiresGrad(false);
        try (OrtEngine main = OrtEngine.open(model, Device.CPU, 1, m -> {});
                OrtEngine head = OrtEngine.open(dir.resolve("det.head.onnx"), Device.CPU, 1, m -> {})) {
            List<Tensor> ort = main.runAll(image);
            Tensor f = GradMode.noGrad(() -> net.forward(image));
            Detector.Rpn rpn = GradMode.noGrad(() -> net.rpn(f));
            assertClose("features", f, ort.get(0), 1e-4, 1e-4);
            assertClose("objectness", rpn.objectness(), ort.get(1), 1e-4, 1e-4);
            assertClose("deltas", rpn.deltas(), ort.get(2), 1e-4, 1e-4);
            List<Tensor> ortHead = head.runAll(crops);
            DetectorHead.Output o = GradMode.noGrad(() -> net.head.heads(crops));
            assertClose("class logits", o.classLogits(), ortHead.get(0), 1e-4, 1e-4);
            assertClose("box deltas", o.boxDeltas(), ortHead.get(1), 1e-4, 1e-4);
        }
        // The Java engine rebuilds the same network from the two files.
        Detector loaded = (Detector) ObjectDetector.loadNetwork(model, DetectorSpec.read(Sidecars.of(model)));
        loaded.train(false);
        assertClose(
                "reloaded features",
                GradMode.noGrad(() -> net.forward(image)),
                GradMode.noGrad(() -> loaded.forward(image)),
                0,
                0);
    }

    @Test
    void tileCoresPartitionTheImage() {
        int[] starts = ObjectDetector.starts(1000, 256, 64);
        assertEquals(0, starts[0]);
        assertEquals(1000 - 256, starts[starts.length - 1]);
        for (int i = 1; i < starts.length; i++) {
            assertTrue(starts[i - 1] + 256 - starts[i] >= 64, "overlap between tiles " + (i - 1) + " and " + i);
            assertEquals(ObjectDetector.core(starts, i - 1, 256, true), ObjectDetector.core(starts, i, 256, false));
            // a centre on the boundary is at least half the overlap inside both tiles
            float boundary = ObjectDetector.core(starts, i, 256, false);
            assertTrue(boundary - starts[i] >= 32 && starts[i - 1] + 256 - boundary >= 32);
        }
        assertEquals(1, ObjectDetector.starts(200, 256, 64).length);
        // a side up to a quarter longer than the tile is one tile, not two that are nearly all overlap
        assertEquals(640, ObjectDetector.tileSide(640, 632));
        assertEquals(790, ObjectDetector.tileSide(790, 632));
        assertEquals(632, ObjectDetector.tileSide(791, 632));
        assertEquals(1, ObjectDetector.starts(640, ObjectDetector.tileSide(640, 632), 316).length);
        // such a tile keeps the proposals per pixel of a 512-px tile (a dense scene keeps its proposals per object)
        assertEquals(Proposals.Limits.INFERENCE, Proposals.Limits.INFERENCE.forPixels(512 * 400));
        Proposals.Limits larger = Proposals.Limits.INFERENCE.forPixels(1024 * 512);
        assertEquals(2 * Proposals.Limits.INFERENCE.postNms(), larger.postNms());
        assertEquals(2 * Proposals.Limits.INFERENCE.preNms(), larger.preNms());
    }

    @Test
    void shippedDetectorFindsTheCellsTiledAsWhole() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")), "models/detector.onnx not built yet");
        float[] image = Tiffs.open(Path.of("test-images/scenes/scene-1.tif"))
                                .getProcessor()
                                .convertToFloat()
                                .getPixels()
                        instanceof float[] f
                ? f
                : null;
        try (ObjectDetector ort = ObjectDetector.open(Path.of("models/detector.onnx"), Device.CPU, 0, m -> {});
                ObjectDetector java = ObjectDetector.openJava(Path.of("models/detector.onnx"))) {
            ObjectDetector.Options whole = ObjectDetector.Options.of(ort.spec());
            ObjectDetector.Options tiled =
                    new ObjectDetector.Options(128, whole.scoreThreshold(), whole.nmsIou(), whole.maxDetections());
            List<Detection> a = ort.detect(new float[][] {image}, 256, 256, whole, null);
            List<Detection> b = ort.detect(new float[][] {image}, 256, 256, tiled, null);
            List<Detection> j = java.detect(new float[][] {image}, 256, 256, whole, null);
            assertTrue(a.size() > 80, "found " + a.size() + " of 98 cells");
            assertTrue(
                    matched(a, b) >= 0.97 * a.size(),
                    "tiled found " + b.size() + ", matched " + matched(a, b) + " of " + a.size());
            assertTrue(Math.abs(a.size() - b.size()) <= 0.03 * a.size(), a.size() + " whole vs " + b.size() + " tiled");
            assertEquals(a.size(), matched(a, j), "Java engine vs ORT");
        }
    }

    @Test
    void imageScaleResizesEveryImageAsTrained() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")), "models/detector.onnx not built yet");
        for (String f : List.of("detector.onnx", "detector.head.onnx"))
            Files.copy(Path.of("models", f), dir.resolve(f));
        DetectorSpec spec = DetectorSpec.read(Path.of("models/detector.json"));
        assertEquals(1, spec.scale());
        spec.withImageScale(1).write(dir.resolve("detector.json"));
        assertTrue(
                !Files.readString(dir.resolve("detector.json")).contains("imageScale"),
                "scale 1 is left out: older sidecars read and write as they did");
        spec.withImageScale(0.5).write(dir.resolve("detector.json"));
        assertTrue(Files.readString(dir.resolve("detector.json")).contains("\"imageScale\": 0.5"));
        float[] scene = (float[]) Tiffs.open(Path.of("test-images/scenes/scene-1.tif"))
                .getProcessor()
                .convertToFloat()
                .getPixels();
        float[] twice = Resize.bilinear(scene, 256, 256, 512, 512); // the same cells, twice as large
        try (ObjectDetector asTrained = ObjectDetector.open(Path.of("models/detector.onnx"), Device.CPU, 0, m -> {});
                ObjectDetector half = ObjectDetector.open(dir.resolve("detector.onnx"), Device.CPU, 0, m -> {})) {
            ObjectDetector.Options o = ObjectDetector.Options.of(half.spec());
            assertEquals(0.5, o.scale(), "the sidecar's scale is the default");
            List<Detection> found = half.detect(new float[][] {twice}, 512, 512, o, null);
            List<Detection> reference = new ArrayList<>();
            for (Detection d : asTrained.detect(
                    new float[][] {Resize.bilinear(twice, 512, 512, 256, 256)},
                    256,
                    256,
                    ObjectDetector.Options.of(asTrained.spec()),
                    null))
                reference.add(new Detection(
                        d.classIndex(), d.className(), d.score(), 2 * d.x1(), 2 * d.y1(), 2 * d.x2(), 2 * d.y2()));
            assertTrue(found.size() > 80, "found " + found.size() + " of 98 cells");
            assertTrue(
                    matched(reference, found) >= 0.97 * reference.size(),
                    "boxes on the image's own pixels: " + matched(reference, found) + " of " + reference.size());
        }
    }

    /** Detections of {@code a} with a same-class partner in {@code b} at IoU ≥ 0.9. */
    private static int matched(List<Detection> a, List<Detection> b) {
        int n = 0;
        for (Detection d : a) {
            float[] x = {d.x1(), d.y1(), d.x2(), d.y2()};
            boolean found = false;
            for (Detection e : b)
                found |= e.classIndex() == d.classIndex()
                        && Boxes.iou(x, 0, new float[] {e.x1(), e.y1(), e.x2(), e.y2()}, 0) >= 0.9f;
            if (found) n++;
        }
        return n;
    }

    @Test
    void badModelsAndImagesAreNamed() throws Exception {
        var e = assertThrows(
                IOException.class, () -> ObjectDetector.open(dir.resolve("none.onnx"), Device.CPU, 1, m -> {}));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Files.copy(Path.of("models/nuclei.json"), dir.resolve("seg.json"));
        Files.copy(Path.of("models/nuclei.onnx"), dir.resolve("seg.onnx"));
        e = assertThrows(IOException.class, () -> ObjectDetector.open(dir.resolve("seg.onnx"), Device.CPU, 1, m -> {}));
        assertTrue(e.getMessage().contains("segmentation model"), e.getMessage());
        DetectorConfig c = DetectorConfig.defaults(1, List.of("cell"));
        try (ObjectDetector d = ObjectDetector.java(new Detector(c, new Rng(1)), DetectorSpec.of(c, "h.onnx", null))) {
            var small = assertThrows(
                    IllegalArgumentException.class,
                    () -> d.detect(new float[][] {new float[100]}, 10, 10, ObjectDetector.Options.of(d.spec()), null));
            assertTrue(small.getMessage().contains("smaller than"), small.getMessage());
            var channels = assertThrows(
                    IllegalArgumentException.class,
                    () -> d.detect(
                            new float[][] {new float[1024], new float[1024]},
                            32,
                            32,
                            ObjectDetector.Options.of(d.spec()),
                            null));
            assertTrue(channels.getMessage().contains("channel"), channels.getMessage());
        }
    }

    /** A sidecar whose classes do not fit its head graph is refused naming both, not an index error while detecting. */
    @Test
    void aSidecarThatDoesNotFitItsHeadIsRefused(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"detector.onnx", "detector.head.onnx"})
            Files.copy(Path.of("models", f), dir.resolve(f));
        String json = Files.readString(Path.of("models/detector.json"));
        Files.writeString(dir.resolve("detector.json"), json.replace("\"elongated\"", "\"elongated\", \"third\""));
        var e = assertThrows(
                IOException.class, () -> ObjectDetector.open(dir.resolve("detector.onnx"), Device.CPU, 1, m -> {}));
        assertTrue(e.getMessage().contains("names 3 classes") && e.getMessage().contains("scores 2"), e.getMessage());
    }
}
