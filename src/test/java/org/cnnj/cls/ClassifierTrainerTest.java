package org.cnnj.cls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.testing.Close;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on synthetic phenotypes reaches a real accuracy on crops it never saw; saving and applying agree. */
class ClassifierTrainerTest {
    @TempDir
    Path dir;

    static List<LabeledCrop> crops(long firstSeed, int perClass, int size) {
        List<LabeledCrop> out = new ArrayList<>();
        for (int label = 0; label < SyntheticCells.CLASSES.size(); label++)
            for (int k = 0; k < perClass; k++)
                out.add(new LabeledCrop(
                        "cell " + (firstSeed + k), SyntheticCells.crop(firstSeed + k, label, size), 1, size, label));
        return out;
    }

    static ClassifierConfig lenet(int size) {
        return new ClassifierConfig(Architecture.LENET5, 1, SyntheticCells.CLASSES, size, 1, 0);
    }

    static ClassifierTrainer.Result train(
            List<LabeledCrop> data, ClassifierConfig arch, ClassifierNetwork start, int epochs, boolean freeze)
            throws Exception {
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, 10)
                .withBatches(16, arch.inputSize())
                .withLearningRate(2e-3)
                .withValidation(0.25)
                .withPatience(0)
                .withSeed(3)
                .withFreezeEncoder(freeze);
        return ClassifierTrainer.train(
                TrainingRun.of(data, cfg).withProvenance(Map.of("test", "yes")),
                arch,
                start,
                ClassifierTrainer.Options.DEFAULTS);
    }

    @Test
    void learnsThePhenotypesOfCropsItNeverSaw() throws Exception {
        ClassifierTrainer.Result r = train(crops(1, 40, 32), lenet(32), null, 12, false);
        List<LabeledCrop> unseen =
                ClassifierTrainer.normalized(crops(90_001, 25, 32), r.spec().normalization());
        ConfusionMatrix m = ClassifierTrainer.evaluate(r.model(), unseen);
        assertTrue(m.accuracy() >= 0.85, "accuracy on unseen crops " + m.accuracy() + "\n" + m.csv());
        assertEquals(4 * 25, m.total());
        assertEquals(r.confusion().total(), 40, "validation: a quarter of each class");
    }

    @Test
    void aShareOfZeroTrainsOnEveryCropAndScoresNoEpoch() throws Exception {
        // It used to score the training crops themselves and report that as "validation accuracy".
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(2, 2)
                .withBatches(8, 32)
                .withValidation(0)
                .withPatience(1)
                .withSeed(3);
        List<Double> scores = new ArrayList<>();
        ClassifierTrainer.Result r = ClassifierTrainer.train(
                TrainingRun.of(crops(1, 4, 32), cfg).withListener(e -> scores.add(e.validationScore())),
                lenet(32),
                null,
                ClassifierTrainer.Options.DEFAULTS);
        assertEquals(2, scores.size(), "patience never stops an unscored run");
        assertTrue(scores.stream().allMatch(v -> Double.isNaN(v)), "epoch scores " + scores);
        assertNull(r.confusion(), "no held-out crops, no confusion matrix");
        assertFalse(r.spec().provenance().containsKey("validation_accuracy"));
        assertTrue(
                r.outcome().bestScore().startsWith("no validation"), r.outcome().bestScore());
    }

    @Test
    void savedModelRunsTheSameInOnnxRuntimeAndJavaAndItsDenseGraphToo() throws Exception {
        ClassifierTrainer.Result r = train(crops(1, 8, 32), lenet(32), null, 1, false);
        Path model = dir.resolve("cells.onnx");
        ImageClassifier.save(r.model(), r.spec(), model);
        ClassifierSpec spec = ClassifierSpec.read(Sidecars.of(model));
        assertEquals(SyntheticCells.CLASSES, spec.classes());
        assertEquals("cells.dense.onnx", spec.dense());
        List<float[][]> some = new ArrayList<>();
        for (LabeledCrop c : crops(500, 2, 40)) some.add(new float[][] {c.pixels()}); // 40 px: scaled to 32
        float[][] image = {SyntheticCells.crop(7, 0, 80)};
        try (ImageClassifier ort = ImageClassifier.open(model, EngineKind.ORT, Device.CPU, 1, l -> {});
                ImageClassifier java = ImageClassifier.open(model, EngineKind.JAVA, Device.CPU, 1, l -> {})) {
            List<ImageClassifier.Prediction> a = ort.classify(some, 40, 40), b = java.classify(some, 40, 40);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).label(), b.get(i).label());
                assertTrue(Close.maxAbsDiff(a.get(i).probabilities(), b.get(i).probabilities()) <= 1e-5);
            }
            int[] sizeA = new int[2], sizeB = new int[2];
            float[][] mapA = ort.denseMap(image, 80, 80, sizeA), mapB = java.denseMap(image, 80, 80, sizeB);
            assertArrayEquals(sizeA, sizeB);
            assertEquals((80 - 32) / spec.denseStride() + 1, sizeA[0]);
            for (int k = 0; k < mapA.length; k++) assertTrue(Close.maxAbsDiff(mapA[k], mapB[k]) <= 1e-5);
        }
    }

    @Test
    void freezingTheFeaturesTrainsOnlyTheHead() throws Exception {
        ClassifierNetwork net = Architecture.LENET5.build(lenet(32), new Rng(4));
        Map<String, float[]> before = new LinkedHashMap<>();
        net.parameters().forEach((k, t) -> before.put(k, t.data().clone()));
        train(crops(1, 6, 32), lenet(32), net, 1, true);
        List<String> head = net.headParameters();
        assertEquals(6, head.size(), "three FC layers: weight and bias each " + head);
        net.parameters().forEach((k, t) -> {
            boolean same = Arrays.equals(before.get(k), t.data());
            if (head.contains(k)) assertFalse(same, k + " should have been trained");
            else assertTrue(same, k + " is a feature weight and was frozen");
            assertTrue(t.requiresGrad(), "everything is trainable again afterwards");
        });
    }

    @Test
    void badTrainingDataIsNamed() {
        List<LabeledCrop> noMitotic =
                crops(1, 4, 32).stream().filter(c -> c.label() != 1).toList();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> train(noMitotic, lenet(32), null, 1, false));
        assertTrue(e.getMessage().contains("no examples of class mitotic"), e.getMessage());
        List<LabeledCrop> wrongSize = List.of(new LabeledCrop("big.tif", new float[48 * 48], 1, 48, 0));
        e = assertThrows(IllegalArgumentException.class, () -> train(wrongSize, lenet(32), null, 1, false));
        assertTrue(e.getMessage().contains("big.tif") && e.getMessage().contains("32 px"), e.getMessage());
    }

    @Test
    void augmentationWithoutResamplingOnlyMovesPixels() {
        float[] crop = SyntheticCells.crop(3, 3, 32);
        CropAugmentation turns = new CropAugmentation(true, true, 0, 1, 0);
        Rng rng = new Rng(1);
        for (int i = 0; i < 8; i++) {
            float[] a = turns.apply(crop, 1, 32, rng), sortedA = a.clone(), sortedCrop = crop.clone();
            Arrays.sort(sortedA);
            Arrays.sort(sortedCrop);
            assertArrayEquals(sortedCrop, sortedA, 1e-4f, "a flip or quarter turn keeps every pixel value");
        }
        assertArrayEquals(crop, CropAugmentation.NONE.apply(crop, 1, 32, rng), 0f);
        float[] a = CropAugmentation.DEFAULT.apply(crop, 1, 32, new Rng(2));
        assertFalse(Arrays.equals(crop, a));
    }

    @Test
    void sidecarsOfOtherTasksAreRefusedWithTheRightCommand() throws Exception {
        Path json = dir.resolve("seg.json");
        Files.writeString(json, "{\"task\": \"instances-distance\"}");
        Exception e = assertThrows(Exception.class, () -> ClassifierSpec.read(json));
        assertTrue(e.getMessage().contains("Segment Image"), e.getMessage());
        Files.writeString(json, "{\"task\": \"classification\"}");
        e = assertThrows(Exception.class, () -> SegmentationSpec.read(json));
        assertTrue(e.getMessage().contains("Classify Images"), e.getMessage());
    }
}
