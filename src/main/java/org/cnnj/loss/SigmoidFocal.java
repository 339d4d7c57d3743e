package org.cnnj.loss;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Sigmoid focal loss (Lin et al., RetinaNet, 2017; torchvision's sigmoid_focal_loss): per value
 * −α_t·(1 − p_t)^γ·log p_t with p = σ(x), p_t = p for a target 1 and 1 − p for 0, α_t = α or 1 − α; summed with
 * weights (0 = ignored) and divided by a normalizer (the number of objects, as one-stage detectors divide it). Easy
 * negatives — most of a dense detector's locations — weigh almost nothing, so the few objects are not drowned.
 * Shapes: logits, targets and weights alike. Backward, with q = 1 − p: target 1: α·q^γ·(γ·p·log p − q); target 0:
 * (1 − α)·p^γ·(p − γ·q·log q); log p and log q from softplus, so large logits stay finite.
 */
public final class SigmoidFocal {
    private SigmoidFocal() {}

    public static Tensor apply(
            Tensor logits, float[] targets, float[] weights, float alpha, float gamma, float normalizer) {
        Shapes.requireSize("sigmoid_focal", logits, targets.length);
        if (weights != null) Shapes.requireSize("sigmoid_focal weights", logits, weights.length);
        if (!(normalizer > 0))
            throw new IllegalArgumentException("sigmoid_focal: normalizer must be > 0, got " + normalizer);
        float[] x = logits.data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (weights != null && weights[i] == 0f) continue;
            double w = weights == null ? 1 : weights[i];
            double logP = -softplus(-x[i]), logQ = -softplus(x[i]), p = Math.exp(logP), q = Math.exp(logQ);
            sum += targets[i] > 0.5f
                    ? -w * alpha * Math.pow(q, gamma) * logP
                    : -w * (1 - alpha) * Math.pow(p, gamma) * logQ;
        }
        return Tensor.result(
                "sigmoid_focal",
                new float[] {(float) (sum / normalizer)},
                new int[] {1},
                out -> {
                    double g = out.grad()[0] / normalizer;
                    float[] gx = logits.grad();
                    for (int i = 0; i < x.length; i++) {
                        if (weights != null && weights[i] == 0f) continue;
                        double w = weights == null ? 1 : weights[i];
                        double logP = -softplus(-x[i]), logQ = -softplus(x[i]), p = Math.exp(logP), q = Math.exp(logQ);
                        double d = targets[i] > 0.5f
                                ? alpha * Math.pow(q, gamma) * (gamma * p * logP - q)
                                : (1 - alpha) * Math.pow(p, gamma) * (p - gamma * q * logQ);
                        gx[i] += (float) (g * w * d);
                    }
                },
                logits);
    }

    /** log(1 + e^x), without overflow. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
