package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cnnj.loss.BceWithLogits;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.ops.Add;
import org.cnnj.ops.Narrow;
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

/**
 * The 3-D U-Net's training step on ONNX Runtime (the whole step as one ONNX graph, CPU provider) against the Java
 * step, with the 3-D model's loss (BCE on the foreground + BCE on the distance map): loss and weights after three steps
 * within 1e-4 of the tensor's scale.
 */
class VolumeUNetOrtTrainingTest {
    @Test
    void stepsEqualTheJavaSteps() throws Exception {
        int n = 2, d = 8, s = 16;
        VolumeUNetConfig config = new VolumeUNetConfig(1, 2, 2, 4, 2.0);
        VolumeUNet java = new VolumeUNet(config, new Rng(5)), ort = new VolumeUNet(config, new Rng(5));
        // A convolution's bias before a batch norm does not change the output: its gradient is rounding, which Adam's
        // division by √v turns into steps of up to the learning rate in either engine alike (UNetOrtTrainingTest).
        for (VolumeUNet net : new VolumeUNet[] {java, ort})
            net.parameters().forEach((k, t) -> t.requiresGrad(!k.endsWith("conv.bias")));
        AdamConfig adam = AdamConfig.adam(3e-3);
        Adam javaAdam = new Adam(java.parameters(), adam), ortAdam = new Adam(ort.parameters(), adam);
        int[] shape = {n, 1, d, s, s}, one = {n, 1, d, s, s};
        TrainingGraph.Plan plan = TrainingGraph.build(ort, shape, VolumeTrainer.LOSS, adam, true);
        Rng rng = new Rng(9);
        try (OrtTraining engine = OrtTraining.open(ort, ortAdam, plan, Device.CPU, m -> {})) {
            java.train(true);
            for (int step = 0; step < 3; step++) {
                float[] x = new float[n * d * s * s], fg = new float[x.length], dist = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    fg[i] = rng.uniform() < 0.4 ? 1 : 0;
                    dist[i] = fg[i] * rng.uniform();
                    x[i] = fg[i] + 0.3f * rng.normal();
                }
                javaAdam.zeroGrad();
                Tensor out = java.forward(Tensor.of(x, shape));
                Tensor loss = Add.apply(
                        BceWithLogits.apply(Narrow.channels(out, 0, 1), Tensor.of(fg, one)),
                        BceWithLogits.apply(Narrow.channels(out, 1, 1), Tensor.of(dist, one)));
                Autograd.backward(loss);
                javaAdam.step();
                ortAdam.zeroGrad();
                float ortLoss = engine.step(x, Map.of("part0/target", fg, "part1/target", dist));
                ortAdam.step();
                assertEquals(loss.item(), ortLoss, 1e-4 * Math.max(1, Math.abs(loss.item())), "loss, step " + step);
            }
        }
        for (Map.Entry<String, Tensor> e : java.parameters().entrySet()) {
            Close.assertCloseToScale(
                    e.getKey(),
                    e.getValue().data(),
                    ort.parameters().get(e.getKey()).data(),
                    1e-4,
                    1);
        }
    }

    /**
     * A whole 3-D training through {@code --train-engine ort} takes the same steps as the Java engine: the same batches
     * (one seed), epoch losses within 1e-3 of each other after 16 steps, and a line saying ONNX Runtime ran them.
     */
    @Test
    void aTrainingOnOnnxRuntimeTakesTheJavaSteps() throws Exception {
        SyntheticVolumes.Settings settings = SyntheticVolumes.Settings.defaults();
        List<LabeledVolume> data = new ArrayList<>();
        for (int i = 0; i < 2; i++) data.add(SyntheticVolumes.generate(300 + i, 16, 48, 48, settings));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(2, 8)
                .withBatches(2, 32)
                .withValidation(0)
                .withPatience(0)
                .withSeed(3);
        VolumeTrainer.Recipe recipe = VolumeTrainer.Recipe.defaults().withNetwork(2, 4);
        List<String> lines = new ArrayList<>();
        List<Double> ortLosses = new ArrayList<>(), javaLosses = new ArrayList<>();
        VolumeTrainer.train(
                TrainingRun.of(data, cfg.withEngine(TrainEngine.ORT)).withListener(new TrainingListener() {
                    public void epoch(EpochReport e) {
                        ortLosses.add(e.trainLoss());
                    }

                    public void log(String line) {
                        lines.add(line);
                    }
                }),
                recipe);
        VolumeTrainer.train(
                TrainingRun.of(data, cfg.withEngine(TrainEngine.JAVA)).withListener(e -> javaLosses.add(e.trainLoss())),
                recipe);
        assertTrue(lines.stream().anyMatch(l -> l.contains("training steps run by onnxruntime")), lines.toString());
        assertEquals(2, ortLosses.size());
        for (int e = 0; e < 2; e++)
            assertEquals(javaLosses.get(e), ortLosses.get(e), 1e-3 * javaLosses.get(e), "epoch " + (e + 1) + " loss");
        System.out.println("3-D training, epoch losses Java " + javaLosses + ", ONNX Runtime " + ortLosses);
    }
}
