package org.cnnj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
    @Test
    void aNonFiniteLossStopsTrainingWithTheBestEpochsWeights() throws Exception {
        UNet net = new UNet(new UNetConfig(1, 2, 1, 2, true, false, 0f), new Rng(1));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(5, 4)
                .withBatches(1, 8)
                .withLearningRate(1e-3)
                .withValidation(0)
                .withPatience(0)
                .withSeed(1);
        int[] steps = {0};
        double[] scores = {0.3, 0.5, 0.4};
        int[] epoch = {0};
        Map<String, float[]>[] atBest = new Map[1];
        TrainingLoop.Outcome o = run(
                net,
                cfg,
                null,
                () -> {
                    steps[0]++;
                    net.parameters().values().forEach(t -> t.data()[0] += 0.01f); // the weights move every step
                    return steps[0] == 11 ? Float.NaN : 1f;
                },
                () -> {
                    double s = scores[epoch[0]++];
                    if (epoch[0] == 2) atBest[0] = Weights.snapshot(net);
                    return s;
                },
                null);
        assertNotNull(o.diverged());
        assertTrue(o.diverged().startsWith("the loss became NaN at epoch 3, step 3"), o.diverged());
        net.parameters()
                .forEach(
                        (k, t) -> assertArrayEquals(atBest[0].get("p:" + k), t.data(), k + " is the best epoch's (2)"));
    }

    @Test
    void keepLastKeepsTheLastEpochsModelAndReportsItsScore() throws Exception {
        UNet net = new UNet(new UNetConfig(1, 2, 1, 2, true, false, 0f), new Rng(1));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(3, 2)
                .withBatches(1, 8)
                .withValidation(0)
                .withPatience(0)
                .withKeepLast(true);
        double[] scores = {0.3, 0.5, 0.4};
        int[] epoch = {0};
        Map<String, float[]>[] atLast = new Map[1];
        TrainingLoop.Outcome o = run(
                net,
                cfg,
                null,
                () -> {
                    net.parameters().values().forEach(t -> t.data()[0] += 0.01f);
                    return 1f;
                },
                () -> {
                    atLast[0] = Weights.snapshot(net);
                    return scores[epoch[0]++];
                },
                null);
        assertEquals(0.4, o.best(), 1e-12, "the kept model's score, not the best epoch's");
        net.parameters()
                .forEach((k, t) -> assertArrayEquals(atLast[0].get("p:" + k), t.data(), k + " is the last epoch's"));
    }

    /**
     * With weight averaging, training steps from the last step's weights while validation, the kept model and
     * average.ckpt see the moving average, which equals the one computed by hand; resuming after 2 of 4 epochs
     * ends with the same average as running all 4.
     */
    @Test
    void weightAveragingValidatesAndKeepsTheAverageAndResumesIt(@TempDir Path dir) throws Exception {
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(4, 5)
                .withBatches(1, 8)
                .withLearningRate(1e-3)
                .withValidation(0)
                .withPatience(0)
                .withSeed(1)
                .withAveraging(0.9);
        float[] seen = new float[2];
        float[] whole = weightsAfter(cfg, null, seen);
        float start = whole[0];
        // The steps saw the raw weights: start + 0, 1, ..., 19 (the average never leaked into training).
        assertEquals(start + 19, seen[0], 1e-4, "the last step started from the last step's weights");
        float expected = start;
        for (int t = 1; t <= 20; t++) {
            float d = (float) Math.min(0.9, (1.0 + t) / (10.0 + t));
            expected = d * expected + (1 - d) * (start + t);
        }
        assertTrue(expected < start + 19, "the test needs an average that differs from the last weights");
        assertEquals(expected, whole[1], 1e-4, "the kept model is the moving average");
        assertEquals(expected, seen[1], 1e-4, "the last validation saw the moving average");

        weightsAfter(
                TrainConfig.defaults()
                        .withSchedule(2, 5)
                        .withBatches(1, 8)
                        .withLearningRate(1e-3)
                        .withValidation(0)
                        .withPatience(0)
                        .withSeed(1)
                        .withAveraging(0.9),
                dir,
                new float[2]);
        assertTrue(Files.exists(dir.resolve(Checkpoints.AVERAGE)));
        float[] resumed = weightsAfter(cfg, dir, new float[2]);
        assertEquals(whole[1], resumed[1], 1e-5, "resuming continues the saved average");
    }

    /**
     * A run whose step adds 1 to one weight (zero gradients, so Adam leaves the weights alone) and whose validation
     * score is that weight; returns it before training and in the kept model, and writes into {@code seen} the value
     * the last step started from and the one the last validation saw.
     */
    private static float[] weightsAfter(TrainConfig cfg, Path checkpoints, float[] seen) throws Exception {
        UNet net = new UNet(new UNetConfig(1, 2, 1, 2, true, false, 0f), new Rng(1));
        float[] w = net.parameters().values().iterator().next().data();
        float initial = w[0];
        run(
                net,
                cfg,
                checkpoints,
                () -> {
                    seen[0] = w[0];
                    w[0] += 1;
                    return 1f;
                },
                () -> {
                    seen[1] = w[0];
                    return w[0]; // grows every epoch: the kept model is the last average
                },
                null);
        return new float[] {initial, w[0]};
    }

    /** The per-step time counts the steps only: a slow validation does not make training look slow. */
    @Test
    void secondsPerStepLeaveOutValidation() throws Exception {
        UNet net = new UNet(new UNetConfig(1, 2, 1, 2, true, false, 0f), new Rng(1));
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(1, 4)
                .withBatches(1, 8)
                .withLearningRate(1e-3)
                .withValidation(0)
                .withPatience(0)
                .withSeed(1);
        double[] report = new double[2];
        run(
                net,
                cfg,
                null,
                () -> {
                    sleep(20);
                    return 1f;
                },
                () -> {
                    sleep(400);
                    return 0.5;
                },
                e -> {
                    report[0] = e.seconds();
                    report[1] = e.secondsPerStep();
                    assertEquals("score", e.metric(), "the report names the task's metric");
                });
        assertTrue(report[1] >= 0.019 && report[1] < 0.1, "per step " + report[1]);
        assertTrue(report[0] >= 0.4 + 4 * 0.019, "epoch " + report[0]);
        String line = new EpochReport(3, 20, 0.1234, 0.85, "IoU", true, 12, 204, report[1]).line();
        assertTrue(line.endsWith(String.format(Locale.ROOT, "ETA 204 s  %.2f s/step", report[1])), line);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The loop with Adam, a constant rate, best-key "best", a float loss per step, and its epoch reports. */
    private static TrainingLoop.Outcome run(
            UNet net,
            TrainConfig cfg,
            Path checkpoints,
            Supplier<Float> step,
            DoubleSupplier validate,
            TrainingListener listener)
            throws Exception {
        return TrainingLoop.fit(
                TrainingRun.of(List.of(), cfg).withCheckpoints(checkpoints).withListener(listener),
                net,
                new Adam(net.parameters(), AdamConfig.adam(1e-3)),
                new LrSchedule.Constant(),
                new TrainingLoop.Task() {
                    public double step() {
                        return step.get();
                    }

                    public double validate() {
                        return validate.getAsDouble();
                    }

                    public String metric() {
                        return "score";
                    }

                    public String checkpointKey() {
                        return "best";
                    }
                });
    }
}
