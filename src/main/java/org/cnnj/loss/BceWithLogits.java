package org.cnnj.loss;

import org.cnnj.ops.Sigmoid;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Binary cross-entropy on logits, mean over all values (PyTorch BCEWithLogitsLoss; averaged over
 * classes it is MultiLabelSoftMarginLoss). Shapes: logits and targets alike, targets in [0, 1].
 * Stable form: max(x, 0) − x·t + log(1 + e^−|x|); dx = (σ(x) − t)/count.
 */
public final class BceWithLogits {
    private BceWithLogits() {}

    public static Tensor apply(Tensor logits, Tensor targets) {
        Shapes.requireSameShape("bce_with_logits", logits, targets);
        float[] x = logits.data(), t = targets.data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (!(t[i] >= 0f && t[i] <= 1f)) {
                throw new IllegalArgumentException("bce_with_logits: target " + t[i] + " at index " + i
                        + " is not in [0, 1]; binary masks must hold 0 and 1 (divide 8-bit masks by 255)");
            }
            sum += Math.max(x[i], 0f) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
        }
        int n = x.length;
        return Tensor.result("bce_with_logits", new float[] {(float) (sum / n)}, new int[] {1}, out -> {
            float g = out.grad()[0] / n;
            float[] gx = logits.grad();
            for (int i = 0; i < n; i++) gx[i] += g * (Sigmoid.of(x[i]) - t[i]);
        }, logits);
    }
}
