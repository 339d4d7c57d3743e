package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cnnj.data.Resize;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The instances-distance model end to end on synthetic nuclei imaged at two magnifications: training
 * rescales both to one object size and records it; applying with diameter auto finds the magnification
 * of an unseen image, and objects come back on its own pixel grid.
 */
class DistanceTrainingTest {
    private static SegmentationTrainer.Result trained;
    private static List<LabeledImage> data;

    /** Synthetic nuclei, every second one magnified x2 (objects twice as large). */
    private static LabeledImage sample(long seed, boolean magnified) {
        SyntheticNuclei.Sample s = SyntheticNuclei.generate(seed, 96, 96);
        if (!magnified) return new LabeledImage("n" + seed, new float[][] {s.image()}, s.labels(), 96, 96);
        return new LabeledImage(
                "m" + seed,
                new float[][] {Resize.bilinear(s.image(), 96, 96, 192, 192)},
                Resize.nearest(s.labels(), 96, 96, 192, 192),
                192,
                192);
    }

    @BeforeAll
    static void train() throws Exception {
        data = new ArrayList<>();
        for (int i = 0; i < 6; i++) data.add(sample(900 + i, i % 2 == 1));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(3, 40)
                .withBatches(4, 48)
                .withLearningRate(3e-3)
                .withValidation(0.34)
                .withPatience(0)
                .withSeed(3);
        trained = SegmentationTrainer.train(
                TrainingRun.of(data, cfg).withProvenance(Map.of("command", "test")),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES, null)
                        .withNetwork(2, 8, false, 0));
    }

    @Test
    void recordsTheObjectSizeItRescaledTo() {
        double[] d = data.stream()
                .mapToDouble(i -> ObjectSize.medianDiameter(i.labels()))
                .toArray();
        assertEquals(
                Math.round(ObjectSize.median(d) * 10) / 10.0, trained.spec().objectDiameter(), 1e-9);
        assertEquals(SegmentationSpec.DISTANCE_CHANNELS, trained.spec().classes());
        assertTrue(
                trained.bestValidationScore() > 0.4,
                "validation AP@0.5 after 120 steps: " + trained.bestValidationScore());
    }

    @Test
    void diameterAutoFindsTheMagnificationAndResultsKeepTheImageSize() {
        LabeledImage unseen = sample(977, true); // objects twice the size of the unmagnified ones
        SegmentationSpec spec = trained.spec();
        JavaEngine engine = new JavaEngine(trained.model());
        double scale = Segmenter.of(engine, spec)
                .scaleFor(
                        Segmenter.normalize(spec, unseen.image(), unseen.width(), unseen.height(), null),
                        unseen.width(),
                        unseen.height(),
                        Diameter.AUTO,
                        m -> {});
        double truth = spec.objectDiameter() / ObjectSize.medianDiameter(unseen.labels());
        assertTrue(Math.abs(Math.log(scale / truth)) < Math.log(1.3), "auto scale " + scale + " vs true " + truth);
        Segmenter.Result r = Segmenter.of(engine, spec)
                .apply(
                        unseen.image(),
                        unseen.width(),
                        unseen.height(),
                        Segmenter.Options.of(spec)
                                .withTile(64)
                                .withProbabilities(true)
                                .withScale(scale),
                        null);
        assertEquals(unseen.width() * unseen.height(), r.objects().length);
        assertEquals(3, r.probabilities().length, "probabilities of the three classes, not of the distance channel");
        double ap = InstanceMatching.match(unseen.labels(), r.objects(), 0.5).averagePrecision();
        assertTrue(ap > 0.5, "AP@0.5 on the magnified image at the estimated scale: " + ap);
    }
}
