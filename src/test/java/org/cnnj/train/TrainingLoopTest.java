package org.cnnj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cnnj.nn.UNet;
import org.cnnj.nn.UNetConfig;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class TrainingLoopTest {
    @Test
    void aNonFiniteLossStopsTrainingWithTheBestEpochsWeights() throws Exception {
        UNet net = new UNet(new UNetConfig(1, 2, 1, 2, true, false, 0f), new Rng(1));
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-3));
        TrainConfig cfg = new TrainConfig(5, 4, 1, 8, 1e-3, 0, 0, 1, false);
        int[] steps = {0};
        double[] scores = {0.3, 0.5, 0.4};
        int[] epoch = {0};
        Map<String, float[]>[] atBest = new Map[1];
        TrainingLoop.Outcome o = TrainingLoop.run(
                net,
                adam,
                new LrSchedule.Constant(),
                cfg,
                null,
                "best",
                null,
                Map.of(),
                () -> {
                    steps[0]++;
                    net.parameters().values().forEach(t -> t.data()[0] += 0.01f); // the weights move every step
                    return steps[0] == 11 ? Float.NaN : 1f;
                },
                Float::doubleValue,
                null,
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
}
