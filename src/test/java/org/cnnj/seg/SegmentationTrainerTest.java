package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.io.Checkpoint;
import org.cnnj.model.Normalization;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentationTrainerTest {
    @TempDir
    Path dir;

    private static final UNetConfig SMALL = new UNetConfig(1, 3, 2, 8, true, false, 0f);

    private static List<LabeledImage> nuclei(int count) {
        List<LabeledImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(500 + i, 96, 96);
            out.add(new LabeledImage("n" + i, new float[][] {s.image()}, s.labels(), 96, 96));
        }
        return out;
    }

    private static TrainConfig config(int epochs, int steps) {
        return TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(4, 48)
                .withLearningRate(3e-3)
                .withValidation(0.34)
                .withPatience(0)
                .withSeed(7);
    }

    @Test
    void learnsAndResumesFromTheLastCheckpoint() throws Exception {
        List<Double> ious = new ArrayList<>();
        SegmentationTrainer.Result first = SegmentationTrainer.train(
                TrainingRun.of(nuclei(3), config(2, 15))
                        .withCheckpoints(dir)
                        .withListener(e -> ious.add(e.validationScore()))
                        .withProvenance(Map.of("command", "test")),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                        .withNetwork(2, 8, false, 0));
        assertEquals(2, first.epochsRun());
        assertTrue(first.bestValidationScore() > 0.3, "validation IoU after 30 steps: " + ious);
        assertTrue(Files.exists(dir.resolve("last.ckpt")) && Files.exists(dir.resolve("best.ckpt")));
        List<Integer> epochs = new ArrayList<>();
        SegmentationTrainer.Result resumed = SegmentationTrainer.train(
                TrainingRun.of(nuclei(3), config(3, 15)).withCheckpoints(dir).withListener(e -> epochs.add(e.epoch())),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                        .withNetwork(2, 8, false, 0));
        assertEquals(List.of(3), epochs, "resume runs only the remaining epoch");
        assertTrue(resumed.bestValidationScore() >= first.bestValidationScore());
    }

    @Test
    void withoutAValidationShareEveryImageTrainsAndTheLastEpochIsKept() throws Exception {
        List<EpochReport> reports = new ArrayList<>();
        SegmentationTrainer.Result r = SegmentationTrainer.train(
                TrainingRun.of(nuclei(3), config(2, 5).withValidation(0))
                        .withCheckpoints(dir)
                        .withListener(reports::add),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES, null)
                        .withNetwork(2, 8, false, 0));
        assertEquals(2, reports.size());
        for (EpochReport e : reports) {
            assertFalse(e.validated(), "scoring the training images would only cost time: " + e.line());
            assertTrue(e.line().contains("no validation"), e.line());
            assertFalse(e.improved(), "an unscored epoch is kept, not called the best: " + e.line());
        }
        assertTrue(
                r.outcome().bestScore().startsWith("no validation"), r.outcome().bestScore());
        var last = Checkpoint.read(dir.resolve("last.ckpt")).arrays();
        r.model().parameters().forEach((k, t) -> Assertions.assertArrayEquals(last.get("param/" + k), t.data(), k));
    }

    @Test
    void fineTuningStartsFromTheModelsSplitDepthAndDecoding() throws Exception {
        SegmentationTrainer.Recipe recipe = SegmentationTrainer.Recipe.defaults()
                .withTask(SegmentationTask.INSTANCES, null)
                .withNetwork(2, 8, false, 0);
        SegmentationTrainer.Result first = SegmentationTrainer.train(
                TrainingRun.of(nuclei(2), config(1, 2).withValidation(0))
                        .withProvenance(Map.of("command", "./cnnj train-seg --images a", "data", "2 nuclei images")),
                recipe);
        Decoding decoding = new Decoding(0.5f, 0.7f, 0.15f, 0.2f);
        Path model = dir.resolve("tuned.onnx");
        Segmenter.save(first.model(), first.spec().withSplitDepth(0.25).withDecoding(decoding), 48, model);
        SegmentationTrainer.Result tuned = SegmentationTrainer.train(
                TrainingRun.of(nuclei(2), config(1, 2).withValidation(0)).withCheckpoints(dir.resolve("ft")),
                recipe.withFrom(model));
        // it was trained with them: without validation images to decide otherwise, they stay (they were dropped)
        assertEquals(0.25, tuned.spec().split(), 1e-6);
        assertEquals(decoding, tuned.spec().decoding());
        // and it says where it started: the model's file, the command that made it and what that learnt from
        assertEquals(
                "tuned.onnx: ./cnnj train-seg --images a",
                tuned.spec().provenance().get("from"));
        assertEquals("2 nuclei images", tuned.spec().provenance().get("from_data"));
    }

    @Test
    void resumingKeepsTheBestCheckpointWhenLaterEpochsAreWorse() throws Exception {
        SegmentationTrainer.Result first = SegmentationTrainer.train(
                TrainingRun.of(nuclei(3), config(1, 15)).withCheckpoints(dir),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                        .withNetwork(2, 8, false, 0));
        // The last epoch ended with an untrained network: far worse than best.ckpt.
        Checkpoint.save(
                dir.resolve("last.ckpt"),
                new UNet(SMALL, new Rng(12345)),
                null,
                Map.of("epoch", "1", "best_iou", String.valueOf(first.bestValidationScore())));
        SegmentationTrainer.Result resumed = SegmentationTrainer.train(
                TrainingRun.of(nuclei(3), config(2, 1)).withCheckpoints(dir),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                        .withNetwork(2, 8, false, 0));
        assertEquals(
                first.bestValidationScore(),
                resumed.bestValidationScore(),
                "one step from random weights does not beat the best");
        var best = Checkpoint.read(dir.resolve("best.ckpt")).arrays();
        resumed.model()
                .parameters()
                .forEach((k, t) -> Assertions.assertArrayEquals(best.get("param/" + k), t.data(), k));
        resumed.model().buffers().forEach((k, b) -> Assertions.assertArrayEquals(best.get("buffer/" + k), b, k));
    }

    @Test
    void cancelStopsAtTheNextStepAndKeepsTheBestModel() throws Exception {
        AtomicBoolean cancel = new AtomicBoolean();
        List<Integer> steps = new ArrayList<>();
        SegmentationTrainer.Result r = SegmentationTrainer.train(
                TrainingRun.of(nuclei(2), config(5, 10))
                        .withCheckpoints(dir)
                        .withCancel(cancel)
                        .withListener(new TrainingListener() {
                            public void epoch(EpochReport e) {}

                            public void step(int step, int total, float loss) {
                                steps.add(step);
                                if (steps.size() == 13) cancel.set(true);
                            }
                        }),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                        .withNetwork(2, 8, false, 0));
        assertTrue(r.cancelled());
        assertEquals(13, steps.size());
        assertEquals(2, r.epochsRun(), "one full epoch and the cancelled one");
        var best = Checkpoint.read(dir.resolve("best.ckpt")).arrays();
        r.model().parameters().forEach((k, t) -> Assertions.assertArrayEquals(best.get("param/" + k), t.data(), k));
    }

    @Test
    void fineTuningWithAFrozenEncoderChangesOnlyTheDecoder() throws Exception {
        UNet start = new UNet(SMALL, new Rng(3));
        float[] encoder = start.parameters().get("enc0.0.conv.weight").data().clone();
        float[] head = start.parameters().get("head.weight").data().clone();
        SegmentationTrainer.Result r = SegmentationTrainer.train(
                TrainingRun.of(
                        nuclei(2),
                        TrainConfig.defaults()
                                .withSchedule(1, 5)
                                .withBatches(2, 48)
                                .withLearningRate(3e-3)
                                .withValidation(0)
                                .withPatience(0)
                                .withSeed(1)
                                .withFreezeEncoder(true)),
                SegmentationTrainer.Recipe.defaults().withTask(SegmentationTask.INSTANCES_3CLASS, null),
                start);
        Assertions.assertArrayEquals(
                encoder, r.model().parameters().get("enc0.0.conv.weight").data());
        assertTrue(
                Arrays.mismatch(head, r.model().parameters().get("head.weight").data()) >= 0, "the head was trained");
        assertEquals(r.model().parameterCount(), r.model().trainableParameterCount(), "unfrozen again for the caller");
    }

    @Test
    void badTrainingDataIsExplained() {
        List<LabeledImage> empty =
                List.of(new LabeledImage("blank", new float[][] {new float[64 * 64]}, new int[64 * 64], 64, 64));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> SegmentationTrainer.train(
                        TrainingRun.of(empty, config(1, 1)),
                        SegmentationTrainer.Recipe.defaults()
                                .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                                .withNetwork(2, 8, false, 0)));
        assertTrue(e.getMessage().contains("every label image is empty"), e.getMessage());
        int[] tooHigh = new int[64 * 64];
        tooHigh[5] = 7;
        List<LabeledImage> semantic =
                List.of(new LabeledImage("sem", new float[][] {new float[64 * 64]}, tooHigh, 64, 64));
        var s = assertThrows(
                IllegalArgumentException.class,
                () -> SegmentationTrainer.train(
                        TrainingRun.of(semantic, config(1, 1)),
                        SegmentationTrainer.Recipe.defaults()
                                .withTask(SegmentationTask.SEMANTIC, List.of("bg", "a", "b"))
                                .withNetwork(2, 8, false, 0)));
        assertTrue(s.getMessage().contains("label value 7 is not a class"), s.getMessage());
        var size = assertThrows(
                IllegalArgumentException.class,
                () -> new LabeledImage("x", new float[][] {new float[100]}, new int[99], 10, 10));
        assertTrue(size.getMessage().contains("must be the same size"), size.getMessage());
        var small = assertThrows(
                IllegalArgumentException.class,
                () -> SegmentationTrainer.train(
                        TrainingRun.of(
                                nuclei(1),
                                TrainConfig.defaults()
                                        .withSchedule(1, 1)
                                        .withBatches(1, 128)
                                        .withLearningRate(1e-3)
                                        .withValidation(0)
                                        .withPatience(0)
                                        .withSeed(1)),
                        SegmentationTrainer.Recipe.defaults()
                                .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                                .withNetwork(2, 8, false, 0)));
        assertTrue(small.getMessage().contains("smaller than the 128 px patch"), small.getMessage());
    }

    /**
     * Regression: a model from elsewhere whose sidecar says "no normalization" was fine-tuned on percentile-
     * normalized patches but validated and applied on raw values. Training now normalizes as the sidecar says.
     */
    @Test
    void trainingPatchesAreNormalizedAsTheModelsSidecarSays() {
        LabeledImage raw = nuclei(1).get(0);
        float[] scaled = raw.image()[0].clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] = 1000 + 1000 * scaled[i];
        LabeledImage image = new LabeledImage("raw", new float[][] {scaled}, raw.labels(), raw.width(), raw.height());
        SegmentationSpec none = SegmentationSpec.forUNet(
                SMALL,
                List.of("background", "interior", "boundary"),
                SegmentationTask.INSTANCES_3CLASS,
                Normalization.none(),
                Map.of(),
                0);
        SegmentationSpec percentile = SegmentationSpec.forUNet(
                SMALL,
                List.of("background", "interior", "boundary"),
                SegmentationTask.INSTANCES_3CLASS,
                Normalization.percentile(1, 99.8),
                Map.of(),
                0);
        float lowest = Float.MAX_VALUE, highest = -Float.MAX_VALUE;
        for (float v : SegmentationTrainer.sampler(List.of(image), none, 0, new Rng(3))
                .next(2, 32)
                .images()) {
            lowest = Math.min(lowest, v);
            highest = Math.max(highest, v);
        }
        assertTrue(
                lowest > 500 && highest > 1000,
                "raw values for a model that takes raw values: " + lowest + ".." + highest);
        float top = -Float.MAX_VALUE;
        for (float v : SegmentationTrainer.sampler(List.of(image), percentile, 0, new Rng(3))
                .next(2, 32)
                .images()) {
            top = Math.max(top, v);
        }
        assertTrue(top < 1.5f, "percentile-normalized for CNN-J's own models: max " + top);
    }
}
