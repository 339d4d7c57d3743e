package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** A small 3-D U-Net learns synthetic nuclei (held-out stacks of another anisotropy), in a minute. */
class VolumeTrainerTest {
    @Test
    void learnsToSeparateTouchingNucleiInHeldOutStacks() throws Exception {
        SyntheticVolumes.Settings s = SyntheticVolumes.Settings.defaults();
        List<LabeledVolume> train = new ArrayList<>();
        for (int i = 0; i < 4; i++) train.add(SyntheticVolumes.generate(100 + i, 24, 64, 64, s));
        // held out: another z spacing (resampled to the model's) and other seeds
        List<LabeledVolume> held = List.of(SyntheticVolumes.generate(900, 16, 96, 96, s.withZRatio(2.6)));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(5, 40)
                .withBatches(2, 32)
                .withPatience(0)
                .withSeed(3);
        List<Double> scores = new ArrayList<>();
        VolumeTrainer.Result r = VolumeTrainer.train(
                TrainingRun.of(train, cfg).validatedOn(held).withListener(e -> scores.add(e.validationScore())),
                VolumeTrainer.Recipe.defaults().withNetwork(2, 8));
        assertEquals(5, r.outcome().epochsRun());
        assertEquals(2.0, r.spec().zRatio(), 1e-9);
        System.out.println("3-D training, held-out AP@0.5 per epoch: " + scores + ", split depth "
                + r.spec().splitDepth());
        VolumeSegmenter.Result seg = new VolumeSegmenter(new JavaEngine(r.model()), r.spec())
                .segment(
                        held.get(0),
                        VolumeSegmenter.Options.defaults().withDiameter(r.spec().objectDiameter()),
                        line -> {},
                        null);
        InstanceMatching.Result m = InstanceMatching.match(held.get(0).labels(), seg.labels(), 0.5);
        double ap = (double) m.truePositives() / (m.truePositives() + m.falsePositives() + m.falseNegatives());
        System.out.println("3-D training, held-out AP@0.5 of the result: " + ap);
        // the same network untrained finds (almost) nothing; 200 steps on four small stacks of the varied generator
        // reach ~0.3-0.35 (the shipped model, 850 steps on 60 larger stacks: see docs/3d.md)
        VolumeSegmenter.Result blank = new VolumeSegmenter(
                        new JavaEngine(new VolumeUNet(r.model().config, new Rng(3))), r.spec())
                .segment(
                        held.get(0),
                        VolumeSegmenter.Options.defaults().withDiameter(r.spec().objectDiameter()),
                        line -> {},
                        null);
        InstanceMatching.Result b = InstanceMatching.match(held.get(0).labels(), blank.labels(), 0.5);
        assertTrue(b.truePositives() <= 2, "untrained: " + b);
        assertTrue(ap > 0.25, "held-out AP@0.5 " + ap + " (" + m + ")");
    }

    @Test
    void withoutAValidationShareEveryStackTrainsAndNoEpochIsScored() throws Exception {
        SyntheticVolumes.Settings s = SyntheticVolumes.Settings.defaults();
        List<LabeledVolume> train =
                List.of(SyntheticVolumes.generate(100, 16, 32, 32, s), SyntheticVolumes.generate(101, 16, 32, 32, s));
        List<EpochReport> reports = new ArrayList<>();
        VolumeTrainer.Result r = VolumeTrainer.train(
                TrainingRun.of(
                                train,
                                TrainConfig.defaults()
                                        .withSchedule(2, 1)
                                        .withBatches(1, 32)
                                        .withValidation(0)
                                        .withSeed(3))
                        .withListener(reports::add),
                VolumeTrainer.Recipe.defaults().withNetwork(1, 4));
        assertEquals(2, reports.size());
        for (EpochReport e : reports) assertFalse(e.validated(), e.line());
        assertTrue(
                r.outcome().bestScore().startsWith("no validation"), r.outcome().bestScore());
    }

    /**
     * Fine-tuning starts from the model's weights and keeps what it was trained at: a few steps at a tiny learning rate
     * leave the shipped model's result on a held-out stack, where a new network after the same steps finds nothing.
     */
    @Test
    void fineTuningStartsFromTheModelAndKeepsItsScale() throws Exception {
        Path shipped = Path.of("models/nuclei3d.onnx");
        VolumeSpec before = VolumeSpec.read(Sidecars.of(shipped));
        SyntheticVolumes.Settings s = SyntheticVolumes.Settings.defaults().withZRatio(before.zRatio());
        List<LabeledVolume> train = List.of(SyntheticVolumes.generate(300, 16, 48, 48, s));
        LabeledVolume held = SyntheticVolumes.generate(901, 16, 96, 96, s);
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(1, 2)
                .withBatches(1, 32)
                .withLearningRate(1e-7)
                .withValidation(0)
                .withSeed(3);
        VolumeTrainer.Result tuned = VolumeTrainer.train(
                TrainingRun.of(train, cfg), VolumeTrainer.Recipe.defaults().withFrom(shipped));
        assertEquals(before.architecture(), tuned.spec().architecture());
        assertEquals(before.objectDiameter(), tuned.spec().objectDiameter(), 1e-9);
        assertEquals(before.splitDepth(), tuned.spec().splitDepth(), 1e-9);
        assertEquals(before.zRatio(), tuned.spec().zRatio(), 1e-9);
        assertTrue(
                tuned.spec().provenance().get("from").startsWith("nuclei3d.onnx: ./cnnj train-seg3d")
                        && tuned.spec()
                                .provenance()
                                .get("from_data")
                                .equals(before.provenance().get("data")),
                "where it started: " + tuned.spec().provenance());
        VolumeTrainer.Result fresh = VolumeTrainer.train(
                TrainingRun.of(train, cfg),
                VolumeTrainer.Recipe.defaults()
                        .withNetwork(before.architecture().depth(), 16));
        double tunedAp = ap(tuned, held), freshAp = ap(fresh, held);
        assertTrue(tunedAp > 0.7 && freshAp < 0.2, "fine-tuned " + tunedAp + ", new network " + freshAp);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> VolumeTrainer.train(
                        TrainingRun.of(train, cfg),
                        VolumeTrainer.Recipe.defaults().withFrom(Path.of("models/nuclei.onnx"))));
        assertTrue(e.getMessage().contains("nuclei.onnx is not a CNN-J 3-D model"), e.getMessage());
    }

    private static double ap(VolumeTrainer.Result r, LabeledVolume held) {
        VolumeSegmenter.Result seg = new VolumeSegmenter(new JavaEngine(r.model()), r.spec())
                .segment(held, VolumeSegmenter.Options.defaults(), line -> {}, null);
        InstanceMatching.Result m = InstanceMatching.match(held.labels(), seg.labels(), 0.5);
        return (double) m.truePositives() / (m.truePositives() + m.falsePositives() + m.falseNegatives());
    }
}
