package org.cnnj.loss;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Smooth L1 (Huber-like, PyTorch SmoothL1Loss with beta), mean over values; box regression.
 * l(d) = ½d²/β if |d| < β else |d| − ½β; dl/dd = d/β or sign(d).
 * The weighted form Σ wᵢ·lᵢ / normalizer regresses only the boxes of positive anchors/ROIs.
 */
public final class SmoothL1 {
    private SmoothL1() {}

    public static Tensor apply(Tensor prediction, Tensor target, float beta) {
        return apply(prediction, target, null, prediction.size(), beta);
    }

    /** Σ weights[i]·loss[i] / normalizer; {@code weights} null means all 1. */
    public static Tensor apply(Tensor prediction, Tensor target, float[] weights, float normalizer, float beta) {
        Shapes.requireSameShape("smooth_l1", prediction, target);
        if (weights != null && weights.length != prediction.size()) {
            throw new IllegalArgumentException(
                    "smooth_l1: " + weights.length + " weights for " + prediction.size() + " values");
        }
        if (!(normalizer > 0))
            throw new IllegalArgumentException("smooth_l1: normalizer must be > 0, got " + normalizer);
        if (!(beta > 0f)) throw new IllegalArgumentException("smooth_l1: beta must be > 0, got " + beta);
        float[] x = prediction.data(), t = target.data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (weights != null && weights[i] == 0f) continue;
            float d = Math.abs(x[i] - t[i]);
            sum += (weights == null ? 1f : weights[i]) * (d < beta ? 0.5 * d * d / beta : d - 0.5 * beta);
        }
        int n = x.length;
        return Tensor.result(
                "smooth_l1",
                new float[] {(float) (sum / normalizer)},
                new int[] {1},
                out -> {
                    float g = out.grad()[0] / normalizer;
                    float[] gx = prediction.grad();
                    for (int i = 0; i < n; i++) {
                        if (weights != null && weights[i] == 0f) continue;
                        float w = weights == null ? 1f : weights[i];
                        float d = x[i] - t[i];
                        gx[i] += g * w * (Math.abs(d) < beta ? d / beta : Math.signum(d));
                    }
                },
                prediction);
    }
}
