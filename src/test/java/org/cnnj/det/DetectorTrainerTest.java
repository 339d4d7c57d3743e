package org.cnnj.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detector learns from few steps; bad annotations are named; checkpoints are written. */
class DetectorTrainerTest {
    @TempDir
    Path dir;

    private static AnnotatedImage scene(long seed, int size) {
        DetectionScenes.Scene s = DetectionScenes.generate(seed, size, size, 0.0015);
        return new AnnotatedImage("scene-" + seed, new float[][] {s.image()}, size, size, s.boxes(), s.classes(), null);
    }

    @Test
    void learnsToDetectWithinAFewDozenSteps() throws Exception {
        List<AnnotatedImage> data = List.of(scene(11, 128), scene(12, 128), scene(13, 128));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(3, 15)
                .withBatches(4, 96)
                .withLearningRate(2e-3)
                .withValidation(0.34)
                .withPatience(0)
                .withSeed(3);
        List<Double> maps = new ArrayList<>();
        DetectorTrainer.Result r = DetectorTrainer.train(
                TrainingRun.of(data, cfg).withCheckpoints(dir).withListener(e -> maps.add(e.validationScore())),
                DetectorConfig.defaults(1, DetectionScenes.CLASSES),
                null);
        assertEquals(3, maps.size());
        // Untrained, the detector scores ~0; 45 steps of 4 patches already find most cells of the held-out scene.
        assertTrue(r.bestValidationMap() > 0.4, "validation mAP per epoch " + maps);
        assertTrue(Files.size(dir.resolve("best.ckpt")) > 100_000 && Files.exists(dir.resolve("last.ckpt")));
        assertFalse(r.cancelled());
    }

    @Test
    void aShareOfZeroTrainsOnEveryImageAndScoresNoEpoch() throws Exception {
        // It used to score the training scenes themselves every epoch: time spent on a number that says nothing.
        List<AnnotatedImage> data = List.of(scene(11, 96), scene(12, 96));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(2, 2)
                .withBatches(2, 64)
                .withValidation(0)
                .withPatience(1)
                .withSeed(3);
        List<Double> scores = new ArrayList<>();
        List<Boolean> best = new ArrayList<>();
        DetectorTrainer.Result r = DetectorTrainer.trainOneStage(
                TrainingRun.of(data, cfg).withListener(e -> {
                    scores.add(e.validationScore());
                    best.add(e.improved());
                }),
                OneStageConfig.defaults(1, DetectionScenes.CLASSES, 64, 30),
                BoxAugmentation.BASIC);
        assertEquals(2, scores.size(), "patience never stops an unscored run");
        assertTrue(scores.stream().allMatch(v -> Double.isNaN(v)), "epoch scores " + scores);
        assertEquals(List.of(false, false), best, "an unscored epoch is not called the best");
        assertTrue(
                r.outcome().bestScore().startsWith("no validation"), r.outcome().bestScore());
    }

    @Test
    void badAnnotationsAreNamed() {
        DetectorConfig c = DetectorConfig.defaults(1, List.of("cell"));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(1, 1)
                .withBatches(1, 32)
                .withLearningRate(1e-3)
                .withValidation(0)
                .withPatience(0)
                .withSeed(1);
        float[][] img = {new float[64 * 64]};
        var outside = assertThrows(
                IllegalArgumentException.class,
                () -> DetectorTrainer.check(
                        List.of(new AnnotatedImage(
                                "a.tif", img, 64, 64, new float[] {50, 50, 70, 60}, new int[] {0}, null)),
                        c,
                        cfg));
        assertTrue(
                outside.getMessage().contains("a.tif: box 1")
                        && outside.getMessage().contains("outside"),
                outside.getMessage());
        var empty = assertThrows(
                IllegalArgumentException.class,
                () -> DetectorTrainer.check(
                        List.of(new AnnotatedImage(
                                "a.tif", img, 64, 64, new float[] {5, 5, 5, 9}, new int[] {0}, null)),
                        c,
                        cfg));
        assertTrue(empty.getMessage().contains("zero size"), empty.getMessage());
        var none = assertThrows(
                IllegalArgumentException.class,
                () -> DetectorTrainer.check(
                        List.of(new AnnotatedImage("a.tif", img, 64, 64, new float[0], new int[0], null)), c, cfg));
        assertTrue(none.getMessage().contains("none of the images has any ROI"), none.getMessage());
        var small = assertThrows(
                IllegalArgumentException.class,
                () -> DetectorTrainer.check(
                        List.of(new AnnotatedImage(
                                "a.tif", img, 64, 64, new float[] {5, 5, 9, 9}, new int[] {0}, null)),
                        c,
                        TrainConfig.defaults()
                                .withSchedule(1, 1)
                                .withBatches(1, 128)
                                .withLearningRate(1e-3)
                                .withValidation(0)
                                .withPatience(0)
                                .withSeed(1)));
        assertTrue(small.getMessage().contains("smaller than the 128 px patch"), small.getMessage());
    }

    @Test
    void warnsAboutBoxesNoAnchorFits() {
        DetectorConfig c = DetectorConfig.defaults(1, List.of("cell"));
        float[][] img = {new float[200 * 200]};
        AnnotatedImage d = new AnnotatedImage(
                "a.tif",
                img,
                200,
                200,
                new float[] {0, 0, 20, 20, 10, 10, 190, 30, 50, 50, 53, 52},
                new int[] {0, 0, 0},
                null);
        List<String> w = DetectorTrainer.anchorWarnings(List.of(d), c);
        assertEquals(1, w.size());
        assertTrue(
                w.get(0).contains("2 box(es)")
                        && w.get(0).contains("180x20")
                        && w.get(0).contains("3x2"),
                w.get(0));
        assertTrue(DetectorTrainer.anchorWarnings(
                        List.of(new AnnotatedImage(
                                "b", img, 200, 200, new float[] {0, 0, 20, 20}, new int[] {0}, null)),
                        c)
                .isEmpty());
    }

    @Test
    void cancelMidEpochKeepsTheBestModelAndResumeContinues() throws Exception {
        List<AnnotatedImage> data = List.of(scene(21, 96), scene(22, 96));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(3, 4)
                .withBatches(2, 64)
                .withLearningRate(2e-3)
                .withValidation(0.5)
                .withPatience(0)
                .withSeed(5);
        AtomicBoolean cancel = new AtomicBoolean();
        DetectorTrainer.Result r = DetectorTrainer.train(
                TrainingRun.of(data, cfg)
                        .withCheckpoints(dir)
                        .withCancel(cancel)
                        .withListener(new TrainingListener() {
                            public void epoch(EpochReport e) {}

                            public void step(int step, int steps, float loss) {
                                if (step == 2) cancel.set(true); // Esc in the middle of the first epoch
                            }
                        }),
                DetectorConfig.defaults(1, DetectionScenes.CLASSES),
                null);
        assertTrue(r.cancelled());
        assertEquals(1, r.epochsRun());
        assertTrue(
                Files.exists(dir.resolve("best.ckpt")) && Files.exists(dir.resolve("last.ckpt")),
                "the partial epoch is kept");
        cancel.set(false);
        List<Integer> resumed = new ArrayList<>();
        DetectorTrainer.train(
                TrainingRun.of(data, cfg)
                        .withCheckpoints(dir)
                        .withCancel(cancel)
                        .withListener(e -> resumed.add(e.epoch())),
                DetectorConfig.defaults(1, DetectionScenes.CLASSES),
                null);
        assertEquals(List.of(2, 3), resumed, "resume continues after the last saved epoch");
    }

    /** The same seed gives the same detector, bit for bit (what demo-det's reproducible model rests on). */
    @Test
    void trainingTwiceWithTheSameSeedGivesTheSameWeights() throws Exception {
        List<AnnotatedImage> data = List.of(scene(21, 96), scene(22, 96));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(1, 6)
                .withBatches(4, 64)
                .withLearningRate(2e-3)
                .withValidation(0.5)
                .withPatience(0)
                .withSeed(5);
        java.util.Map<String, float[]> first = null;
        for (int run = 0; run < 2; run++) {
            DetectorTrainer.Result r = DetectorTrainer.train(
                    TrainingRun.of(data, cfg), DetectorConfig.defaults(1, DetectionScenes.CLASSES), null);
            java.util.Map<String, float[]> weights = new java.util.LinkedHashMap<>();
            r.model()
                    .parameters()
                    .forEach((name, t) -> weights.put(name, t.data().clone()));
            r.model().buffers().forEach((name, b) -> weights.put("buffer " + name, b.clone()));
            if (first == null) {
                first = weights;
                continue;
            }
            List<String> differ = new ArrayList<>();
            for (var e : first.entrySet())
                if (!java.util.Arrays.equals(e.getValue(), weights.get(e.getKey()))) differ.add(e.getKey());
            assertEquals(List.of(), differ, "weights that differ between two runs with the same seed");
        }
    }
}
