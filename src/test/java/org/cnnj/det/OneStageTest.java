package org.cnnj.det;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.GradCheck;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-stage detector: its targets, its exported graph against Java, and that it learns to detect. */
class OneStageTest {
    @TempDir
    Path dir;

    private static final OneStageConfig CONFIG = OneStageConfig.defaults(1, List.of("a", "b"), 64, 60);

    @Test
    void aBoxIsLearntAtItsCentreOnTheLevelOfItsSize() {
        // A 40×24 box centred on a stride-8 location: distances 20, 12 → the fine level.
        float[][] boxes = {{76, 88, 116, 112}};
        int[][] classes = {{1}};
        OneStageTargets.Level fine = OneStageTargets.of(CONFIG, 0, 16, 16, boxes, classes);
        OneStageTargets.Level coarse = OneStageTargets.of(CONFIG, 1, 8, 8, boxes, classes);
        assertEquals(0, coarse.positives());
        // Centre sampling: locations within 1.5 strides of the centre (96, 100) → x 92, 100 and y 92, 100, 108.
        assertEquals(6, fine.positives());
        int centre = 12 * 16 + 11; // location (x 92, y 100)
        assertEquals(1, fine.classes()[(1 * 16 * 16) + centre]);
        assertEquals(0, fine.classes()[centre]);
        float[] d = fine.distances();
        int plane = 256;
        assertEquals(16 / 8f, d[centre], 1e-6); // l = 92 − 76
        assertEquals(12 / 8f, d[plane + centre], 1e-6); // t = 100 − 88
        assertEquals(24 / 8f, d[2 * plane + centre], 1e-6); // r = 116 − 92
        assertEquals(12 / 8f, d[3 * plane + centre], 1e-6); // b = 112 − 100
        assertEquals(Math.sqrt(16 / 24.0), fine.centreness()[centre], 1e-6);

        // A large box (distances over the split) belongs to the coarse level only.
        float[][] large = {{0, 0, 200, 180}};
        assertEquals(0, OneStageTargets.of(CONFIG, 0, 32, 32, large, classes).positives());
        assertTrue(OneStageTargets.of(CONFIG, 1, 16, 16, large, classes).positives() > 0);

        // A box smaller than a stride still gets the location nearest its centre.
        float[][] tiny = {{33, 33, 38, 38}};
        assertEquals(1, OneStageTargets.of(CONFIG, 0, 16, 16, tiny, classes).positives());
    }

    @Test
    void whereBoxesCompeteTheSmallerOneWins() {
        float[][] boxes = {{40, 40, 120, 120, 72, 72, 88, 88}};
        int[][] classes = {{0, 1}};
        OneStageTargets.Level fine = OneStageTargets.of(CONFIG, 0, 16, 16, boxes, classes);
        int centre = 9 * 16 + 9; // (76, 76): inside both, nearer the small one's centre
        assertEquals(1, fine.classes()[256 + centre]);
        assertEquals(0, fine.classes()[centre]);
    }

    @Test
    void theExportedGraphEqualsTheJavaForwardPassAndReloads() throws Exception {
        OneStageNetwork net = new OneStageNetwork(CONFIG, new Rng(7));
        for (float[] b : net.buffers().values())
            for (int i = 0; i < b.length; i++) b[i] = b[i] == 1f ? 1.5f + 0.01f * i : 0.1f * (i % 5);
        Path model = dir.resolve("one.onnx");
        DetectorSpec spec = DetectorSpec.of(CONFIG, null);
        ObjectDetector.save(net, spec, model);
        assertFalse(Files.exists(dir.resolve("one.head.onnx")), "a one-stage detector is one graph");
        DetectorSpec read = DetectorSpec.read(Sidecars.of(model));
        assertEquals(DetectorKind.ONE_STAGE, read.kind());
        assertEquals(60, read.oneStage().largestObject());
        net.train(false);
        Tensor image = GradMode.noGrad(
                () -> GradCheck.uniform(new Rng(8), 1, 1, 80, 96).requiresGrad(false));
        List<Tensor> java = GradMode.noGrad(() -> net.levels(image));
        try (OrtEngine ort = OrtEngine.open(model, Device.CPU, 1, m -> {})) {
            List<Tensor> out = ort.runAll(image);
            assertClose("level8", java.get(0), out.get(0), 1e-4, 1e-4);
            assertClose("level16", java.get(1), out.get(1), 1e-4, 1e-4);
        }
        OneStageNetwork loaded = (OneStageNetwork) ObjectDetector.loadNetwork(model, read);
        loaded.train(false);
        assertClose(
                "reloaded",
                java.get(0),
                GradMode.noGrad(() -> loaded.levels(image)).get(0),
                0,
                0);
    }

    @Test
    void learnsToDetectAndOnnxRuntimeFindsWhatJavaFinds() throws Exception {
        List<AnnotatedImage> data = new ArrayList<>();
        for (long seed = 11; seed <= 14; seed++) {
            DetectionScenes.Scene s = DetectionScenes.generate(seed, 128, 128, 0.0015);
            data.add(new AnnotatedImage(
                    "scene-" + seed, new float[][] {s.image()}, 128, 128, s.boxes(), s.classes(), null));
        }
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(6, 20)
                .withBatches(4, 96)
                .withLearningRate(3e-3)
                .withValidation(0.25)
                .withPatience(0)
                .withSeed(3);
        List<Double> maps = new ArrayList<>();
        float[] split = OneStageConfig.fromBoxes(data);
        DetectorTrainer.Result r = DetectorTrainer.trainOneStage(
                TrainingRun.of(data, cfg).withCheckpoints(dir).withListener(e -> maps.add(e.validationScore())),
                // Stated widths, so the test measures learning, not whatever the defaults are sized for.
                new OneStageConfig(1, DetectionScenes.CLASSES, new int[] {16, 24, 32, 64, 96}, 64, split[0], split[1]),
                BoxAugmentation.BASIC);
        // Untrained, every score starts at 0.01 and mAP at ~0; 120 steps of 4 patches reach ~0.6 (seed 3).
        assertTrue(r.bestValidationMap() > 0.45, "validation mAP per epoch " + maps);
        Path model = dir.resolve("learnt.onnx");
        ObjectDetector.save(r.model(), r.spec().withHead(model), model);
        AnnotatedImage held = data.get(3);
        try (ObjectDetector ort = ObjectDetector.open(model, Device.CPU, 1, m -> {});
                ObjectDetector java = ObjectDetector.openJava(model)) {
            ObjectDetector.Options o = ObjectDetector.Options.of(ort.spec());
            List<Detection> a = ort.detect(held.channels(), 128, 128, o, null);
            List<Detection> b = java.detect(held.channels(), 128, 128, o, null);
            assertFalse(a.isEmpty());
            assertEquals(a.size(), b.size(), "ORT vs Java detections");
            for (int i = 0; i < a.size(); i++)
                assertEquals(a.get(i).x1(), b.get(i).x1(), 0.05);
        }
    }

    @Test
    void patchesMustBeMultiplesOfSixteen() {
        DetectionScenes.Scene s = DetectionScenes.generate(1, 128, 128, 0.0015);
        List<AnnotatedImage> data =
                List.of(new AnnotatedImage("s", new float[][] {s.image()}, 128, 128, s.boxes(), s.classes(), null));
        TrainConfig cfg = TrainConfig.defaults().withSchedule(1, 1).withBatches(1, 40);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DetectorTrainer.trainOneStage(
                        TrainingRun.of(data, cfg),
                        OneStageConfig.defaults(1, DetectionScenes.CLASSES, 64, 30),
                        BoxAugmentation.BASIC));
        assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
    }
}
