package org.cnnj.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.nn.Module;

/**
 * An exponential moving average of a network's parameters and buffers (batch-norm statistics included),
 * updated after every optimizer step: average ← d·average + (1 − d)·weights. The average, not the last
 * step's weights, is validated and saved, because the last step's weights carry the noise of the last few
 * batches (timm's ModelEmaV2, Polyak averaging). Early on the decay is min(d, (1 + t) / (10 + t)) so the
 * average is not dominated by the initial weights (TensorFlow's ExponentialMovingAverage with num_updates).
 */
final class WeightAverage {
    private final Module net;
    private final double decay;
    private final Map<String, float[]> average;
    private long updates;

    /** Starts the average at the network's current weights ({@code updates} already made, when resuming). */
    WeightAverage(Module net, double decay, Map<String, float[]> start, long updates) {
        this.net = net;
        this.decay = decay;
        this.average = new LinkedHashMap<>(start);
        this.updates = updates;
    }

    void update() {
        updates++;
        float d = (float) Math.min(decay, (1.0 + updates) / (10.0 + updates));
        net.parameters().forEach((k, t) -> blend(average.get("p:" + k), t.data(), d));
        net.buffers().forEach((k, b) -> blend(average.get("b:" + k), b, d));
    }

    /** The averaged weights, keyed as {@link Weights#snapshot(Module)} (live: copy before keeping). */
    Map<String, float[]> values() {
        return average;
    }

    private static void blend(float[] average, float[] weights, float d) {
        float w = 1 - d;
        for (int i = 0; i < average.length; i++) average[i] = d * average[i] + w * weights[i];
    }
}
