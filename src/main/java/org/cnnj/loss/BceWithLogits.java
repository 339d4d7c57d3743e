package org.cnnj.loss;

import org.cnnj.ops.Sigmoid;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Binary cross-entropy on logits, mean over all values (PyTorch BCEWithLogitsLoss; averaged over
 * classes it is MultiLabelSoftMarginLoss). Shapes: logits and targets alike, targets in [0, 1].
 * Stable form: max(x, 0) − x·t + log(1 + e^−|x|); dx = (σ(x) − t)/count.
 * The weighted form Σ wᵢ·lᵢ / normalizer scores only sampled positions (weight 0 = ignored), as the
 * RPN's objectness loss over its balanced anchor sample.
 */
public final class BceWithLogits {
    private BceWithLogits() {}

    public static Tensor apply(Tensor logits, Tensor targets) {
        return apply(logits, targets, null, logits.size());
    }

    /** Σ weights[i]·loss[i] / normalizer; {@code weights} null means all 1. */
    public static Tensor apply(Tensor logits, Tensor targets, float[] weights, float normalizer) {
        Shapes.requireSameShape("bce_with_logits", logits, targets);
        if (weights != null && weights.length != logits.size()) {
            throw new IllegalArgumentException(
                    "bce_with_logits: " + weights.length + " weights for " + logits.size() + " values");
        }
        if (!(normalizer > 0))
            throw new IllegalArgumentException("bce_with_logits: normalizer must be > 0, got " + normalizer);
        float[] x = logits.data(), t = targets.data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (!(t[i] >= 0f && t[i] <= 1f)) {
                throw new IllegalArgumentException("bce_with_logits: target " + t[i] + " at index " + i
                        + " is not in [0, 1]; binary masks must hold 0 and 1 (divide 8-bit masks by 255)");
            }
            if (weights != null && weights[i] == 0f) continue;
            sum += (weights == null ? 1f : weights[i])
                    * (Math.max(x[i], 0f) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i]))));
        }
        int n = x.length;
        return Tensor.result(
                "bce_with_logits",
                new float[] {(float) (sum / normalizer)},
                new int[] {1},
                out -> {
                    float g = out.grad()[0] / normalizer;
                    float[] gx = logits.grad();
                    for (int i = 0; i < n; i++) {
                        if (weights == null || weights[i] != 0f)
                            gx[i] += g * (weights == null ? 1f : weights[i]) * (Sigmoid.of(x[i]) - t[i]);
                    }
                },
                logits);
    }
}
