package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.io.Checkpoint;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtTraining;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The U-Net's training step on ONNX Runtime (the whole step as one ONNX graph, CPU provider) against the Java step,
 * with the distance model's loss (weighted cross-entropy on three classes + BCE on the distance channel): loss,
 * gradients and weights after three steps within 1e-4 of the tensor's scale; and a whole training run through {@code
 * --train-engine ort} learns as the Java engine does.
 */
class UNetOrtTrainingTest {
    private static final TrainingLoss DISTANCE = new TrainingLoss.Channels(List.of(
            new TrainingLoss.Part(0, 3, new TrainingLoss.CrossEntropy()),
            new TrainingLoss.Part(3, 1, new TrainingLoss.BinaryCrossEntropy())));

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stepsEqualTheJavaSteps(boolean residual) throws Exception {
        int n = 2, size = 32;
        UNetConfig config = new UNetConfig(2, 4, 2, 8, true, residual, 0f);
        UNet java = new UNet(config, new Rng(5)), ort = new UNet(config, new Rng(5));
        // A convolution's bias before a batch norm does not change the output (the norm subtracts it): its gradient is
        // zero but for rounding (~1e-10), which Adam's division by √v turns into steps of up to the learning rate, in
        // either engine alike. Frozen here, so that the comparison is of what the loss depends on (and the frozen path
        // is tested too). For the same reason the input has two channels: the 1 × 1 skip convolution of a one-channel
        // input before a batch norm would be such a parameter as a whole.
        for (UNet net : new UNet[] {java, ort})
            net.parameters().forEach((k, t) -> t.requiresGrad(!k.endsWith("conv.bias")));
        AdamConfig adam = AdamConfig.adam(3e-3);
        Adam javaAdam = new Adam(java.parameters(), adam), ortAdam = new Adam(ort.parameters(), adam);
        TrainConfig cfg = TrainConfig.defaults().withBatches(n, size);
        TrainingGraph.Plan plan = TrainingGraph.build(ort, new int[] {n, 2, size, size}, DISTANCE, adam, true);
        try (OrtTraining engine = OrtTraining.open(ort, ortAdam, plan, Device.CPU, m -> {})) {
            java.train(true);
            for (int step = 0; step < 3; step++) {
                ObjectPatchSampler.Batch b = batch(n, size, 40 + step);
                javaAdam.zeroGrad();
                Tensor loss = SegmentationTrainer.distanceLoss(java, b, 2, cfg);
                Autograd.backward(loss);
                Map<String, float[]> grads = new LinkedHashMap<>();
                java.parameters().forEach((k, t) -> {
                    if (t.requiresGrad()) grads.put(k, t.grad().clone());
                });
                javaAdam.step();

                float[][] classes = TrainingLoss.crossEntropyTargets(
                        b.labels(), 3, size * size, new float[] {1, 1, 2}, 0f, SoftmaxCrossEntropy.NO_IGNORE);
                ortAdam.zeroGrad();
                float ortLoss = engine.step(
                        b.images(),
                        Map.of("part0/target", classes[0], "part0/weight", classes[1], "part1/target", b.targets()));
                ortAdam.step();
                assertEquals(loss.item(), ortLoss, 1e-4 * loss.item(), "loss, step " + step);
                for (String k : grads.keySet())
                    assertClose(grads.get(k), engine.gradients().get(k), "gradient of " + k + ", step " + step);
            }
        }
        java.parameters()
                .forEach((k, t) -> assertClose(t.data(), ort.parameters().get(k).data(), "weight " + k));
        java.buffers().forEach((k, v) -> assertClose(v, ort.buffers().get(k), "running statistic " + k));
    }

    /** Synthetic nuclei patches (two channels: the image and its square) with three-class labels and distances. */
    private static ObjectPatchSampler.Batch batch(int n, int size, long seed) {
        int plane = size * size;
        float[] images = new float[n * 2 * plane], targets = new float[n * plane];
        int[] labels = new int[n * size * size];
        for (int i = 0; i < n; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(seed * 10 + i, size, size);
            int[] three = new int[size * size]; // background, interior, and a scattering of boundary pixels
            for (int p = 0; p < three.length; p++) three[p] = s.labels()[p] == 0 ? 0 : p % 7 == 0 ? 2 : 1;
            float[] distance = DistanceMap.normalized(s.labels(), size, size);
            for (int p = 0; p < plane; p++) {
                images[(2 * i) * plane + p] = s.image()[p];
                images[(2 * i + 1) * plane + p] = s.image()[p] * s.image()[p] - 0.5f;
            }
            System.arraycopy(three, 0, labels, i * size * size, size * size);
            System.arraycopy(distance, 0, targets, i * size * size, size * size);
        }
        return new ObjectPatchSampler.Batch(images, labels, targets, size, n);
    }

    @Test
    void trainingOnOnnxRuntimeLearnsAsJavaDoes() throws Exception {
        List<LabeledImage> data = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(700 + i, 96, 96);
            data.add(new LabeledImage("n" + i, new float[][] {s.image()}, s.labels(), 96, 96));
        }
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(3, 30)
                .withBatches(4, 48)
                .withLearningRate(3e-3)
                .withValidation(0.34)
                .withPatience(0)
                .withSeed(3);
        SegmentationTrainer.Recipe recipe = SegmentationTrainer.Recipe.defaults()
                .withTask(SegmentationTask.INSTANCES, null)
                .withNetwork(2, 8, false, 0);
        List<String> lines = new ArrayList<>();
        SegmentationTrainer.Result onOrt = SegmentationTrainer.train(
                TrainingRun.of(data, cfg.withEngine(TrainEngine.ORT)).withListener(new TrainingListener() {
                    public void epoch(EpochReport e) {}

                    public void log(String line) {
                        lines.add(line);
                    }
                }),
                recipe);
        SegmentationTrainer.Result onJava =
                SegmentationTrainer.train(TrainingRun.of(data, cfg.withEngine(TrainEngine.JAVA)), recipe);
        assertTrue(lines.stream().anyMatch(l -> l.contains("training steps run by onnxruntime")), lines.toString());
        assertTrue(onOrt.bestValidationScore() > 0.4, "ORT engine: validation AP@0.5 " + onOrt.bestValidationScore());
        assertEquals(
                onJava.bestValidationScore(),
                onOrt.bestValidationScore(),
                0.1,
                "the two engines train the same network on the same batches");
    }

    /** A checkpoint is a checkpoint whichever engine wrote it: a Java training resumed on ONNX Runtime goes on. */
    @Test
    void aJavaTrainingResumesOnOnnxRuntime(@TempDir Path dir) throws Exception {
        List<LabeledImage> data = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(800 + i, 64, 64);
            data.add(new LabeledImage("n" + i, new float[][] {s.image()}, s.labels(), 64, 64));
        }
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(2, 10)
                .withBatches(2, 32)
                .withValidation(0.34)
                .withPatience(0)
                .withSeed(4);
        SegmentationTrainer.Recipe recipe = SegmentationTrainer.Recipe.defaults()
                .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                .withNetwork(2, 8, false, 0);
        SegmentationTrainer.train(
                TrainingRun.of(data, cfg.withEngine(TrainEngine.JAVA)).withCheckpoints(dir), recipe);
        float[] afterJava = Checkpoint.read(dir.resolve("last.ckpt"))
                .arrays()
                .get("param/head.weight")
                .clone();
        List<Integer> epochs = new ArrayList<>();
        SegmentationTrainer.train(
                TrainingRun.of(data, cfg.withSchedule(3, 10).withEngine(TrainEngine.ORT))
                        .withCheckpoints(dir)
                        .withListener(e -> epochs.add(e.epoch())),
                recipe);
        assertEquals(List.of(3), epochs, "only the remaining epoch runs");
        Map<String, float[]> last = Checkpoint.read(dir.resolve("last.ckpt")).arrays();
        assertEquals(30f, last.get("optim/step")[0], "Adam's step count goes on from 20");
        assertFalse(Arrays.equals(afterJava, last.get("param/head.weight")), "the ONNX Runtime epoch trained");
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        Close.assertCloseToScale(what, expected, actual, 1e-4, 0);
    }
}
