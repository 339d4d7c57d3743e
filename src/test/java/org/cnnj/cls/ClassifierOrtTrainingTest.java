package org.cnnj.cls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Classifiers of the zoo trained by ONNX Runtime (CPU provider) against the Java engine: the same loss (label-smoothed
 * cross-entropy) and gradients within 1e-4 of each tensor's scale ( of 1 % of the model's largest gradient for a tensor
 * whose gradient is zero but for rounding, as a convolution bias before a batch norm); for LeNet-5 also the weights
 * after three AdamW steps. Not for the deep batch-normalized networks: there some weights get gradients of ~1e-8
 * that are rounding noise in either engine (measured in ResNet-18's layer4: +1.4e-8 in Java, −1.6e-8 in ONNX Runtime),
 * and Adam's first steps, dividing by √v, move each such weight by the whole learning rate in the noise's direction —
 * weights 2.4e-3 apart after one step, whichever two implementations are compared. MobileNet-V2 is left out for a
 * like reason: at the crop sizes a test affords, one of the 320 channels of its last batch norm feeds a ReLU6 an input
 * within rounding of the kink, where the two engines take different sides (that channel's β gradient 0.00141 in Java,
 * 0.00240 in ONNX Runtime; every other channel within 1e-5), and the difference reaches every layer below; its ops
 * (depthwise stride-2 convolutions, ReLU6, residual sums) are checked in runtime.OrtTrainingTest. Then a whole
 * training through the engine option, and SGD, which the graph does not do, refused with the way out. DenseNet-121 is
 * left out too: at 32 px its deep dense blocks batch-normalize a few values per channel, and on an AVX-512 machine
 * (2026-12-07) its gradients in the two engines drifted apart layer by layer, from 1.3e-4 of their scale at the stem
 * to 1.4e-3 in dense block 3 (CNN-J's 8x2 and 6x2 GEMM kernels gave the same numbers; within 1e-4 on AVX2 machines):
 * rounding amplified, not a wrong op; its ops (concatenation, batch norm, ReLU, average pooling) are checked by the
 * networks above and by the U-Net in runtime.OrtTrainingTest.
 */
class ClassifierOrtTrainingTest {
    @ParameterizedTest
    @EnumSource(
            value = Architecture.class,
            names = {"LENET5", "RESNET18", "VGG11_BN"})
    void stepsEqualTheJavaSteps(Architecture architecture) throws Exception {
        int n = 6, size = 32;
        ClassifierConfig arch = new ClassifierConfig(architecture, 1, SyntheticCells.CLASSES, size, 0.25, 0);
        ClassifierNetwork java = architecture.build(arch, new Rng(2)), ort = architecture.build(arch, new Rng(2));
        AdamConfig adam = AdamConfig.adamW(2e-3, 1e-4);
        Adam javaAdam = new Adam(java.parameters(), adam), ortAdam = new Adam(ort.parameters(), adam);
        int[] shape = {n, 1, size, size};
        float[] x = new float[n * size * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % SyntheticCells.CLASSES.size();
            System.arraycopy(SyntheticCells.crop(50 + i, labels[i], size), 0, x, i * size * size, size * size);
        }
        float smoothing = 0.1f;
        float[][] t = TrainingLoss.crossEntropyTargets(
                labels, SyntheticCells.CLASSES.size(), 1, null, smoothing, SoftmaxCrossEntropy.NO_IGNORE);
        TrainingGraph.Plan plan = TrainingGraph.build(ort, shape, new TrainingLoss.CrossEntropy(), adam, true);
        try (OrtTraining engine = OrtTraining.open(ort, ortAdam, plan, Device.CPU, m -> {})) {
            java.train(true);
            int steps = architecture == Architecture.LENET5 ? 3 : 1;
            for (int step = 0; step < steps; step++) {
                javaAdam.zeroGrad();
                Tensor loss = SoftmaxCrossEntropy.apply(java.forward(Tensor.of(x.clone(), shape)), labels, smoothing);
                Autograd.backward(loss);
                Map<String, float[]> grads = new LinkedHashMap<>();
                java.parameters().forEach((k, p) -> grads.put(k, p.grad().clone()));
                javaAdam.step();
                ortAdam.zeroGrad();
                float ortLoss = engine.step(x, Map.of("target", t[0], "weight", t[1]));
                ortAdam.step();
                assertEquals(loss.item(), ortLoss, 1e-4 * loss.item(), architecture + " loss, step " + step);
                float largest = 0;
                for (float[] g : grads.values()) for (float v : g) largest = Math.max(largest, Math.abs(v));
                for (String k : grads.keySet()) {
                    assertClose(
                            grads.get(k),
                            engine.gradients().get(k),
                            0.01 * largest,
                            architecture + " gradient of " + k);
                }
            }
        }
        if (architecture != Architecture.LENET5) return;
        java.parameters()
                .forEach((k, p) -> assertClose(p.data(), ort.parameters().get(k).data(), 0, "weight " + k));
    }

    @Test
    void trainsThroughTheEngineOptionAndRefusesSgd() throws Exception {
        List<LabeledCrop> data = ClassifierTrainerTest.crops(1, 12, 32);
        ClassifierConfig arch = ClassifierTrainerTest.lenet(32);
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(4, 10)
                .withBatches(16, 32)
                .withLearningRate(2e-3)
                .withValidation(0.25)
                .withPatience(0)
                .withSeed(3);
        ClassifierTrainer.Result ort = ClassifierTrainer.train(
                TrainingRun.of(data, cfg.withEngine(TrainEngine.ORT)), arch, null, ClassifierTrainer.Options.DEFAULTS);
        ClassifierTrainer.Result java = ClassifierTrainer.train(
                TrainingRun.of(data, cfg.withEngine(TrainEngine.JAVA)), arch, null, ClassifierTrainer.Options.DEFAULTS);
        assertTrue(
                ort.confusion().accuracy() > 0.6,
                "accuracy trained on ONNX Runtime " + ort.confusion().accuracy());
        assertEquals(java.confusion().accuracy(), ort.confusion().accuracy(), 0.15);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ClassifierTrainer.train(
                        TrainingRun.of(data, cfg.withEngine(TrainEngine.ORT)),
                        arch,
                        null,
                        new ClassifierTrainer.Options(
                                ClassifierTrainer.OptimizerKind.SGD,
                                1e-4,
                                0.1,
                                true,
                                CropAugmentation.DEFAULT,
                                ClassifierTrainer.Options.DEFAULTS.normalization())));
        assertTrue(e.getMessage().contains("--train-engine java"), e.getMessage());
    }

    /** max |a − b| ≤ 1e-4 · max(max |a|, floor). */
    private static void assertClose(float[] expected, float[] actual, double floor, String what) {
        Close.assertCloseToScale(what, expected, actual, 1e-4, floor);
    }
}
