package org.cnnj.loss;

import org.cnnj.ops.ClassAxis;
import org.cnnj.ops.Softmax;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Soft Dice loss on softmax probabilities, averaged over classes (robust to class imbalance).
 * Shapes: logits [N, C, H, W]; labels int [N·H·W] in 0..C−1. Per class c over the whole batch:
 * I = Σ p·t, S = Σ p + Σ t, dice = (2I + ε)/(S + ε); loss = 1 − mean_c dice;
 * ∂loss/∂p = −(1/C)·(2t·(S + ε) − (2I + ε))/(S + ε)², then through the softmax.
 */
public final class SoftDice {
    private SoftDice() {}

    public static Tensor apply(Tensor logits, int[] labels, float eps) {
        ClassAxis ax = ClassAxis.of("soft_dice", logits);
        if (labels.length != ax.columns()) {
            throw new IllegalArgumentException("soft_dice: " + labels.length + " labels for logits "
                    + Shapes.str(logits.shape()) + "; the label image must have the size of the network output");
        }
        for (int p = 0; p < labels.length; p++) {
            if (labels[p] < 0 || labels[p] >= ax.classes) {
                throw new IllegalArgumentException(
                        "soft_dice: label " + labels[p] + " at position " + p + " is outside 0.." + (ax.classes - 1));
            }
        }
        Tensor probs = Softmax.apply(logits);
        float[] p = probs.data();
        double[] inter = new double[ax.classes], total = new double[ax.classes];
        for (int pos = 0; pos < labels.length; pos++) {
            int base = ax.base(pos);
            for (int k = 0; k < ax.classes; k++) total[k] += p[base + k * ax.inner];
            inter[labels[pos]] += p[base + labels[pos] * ax.inner];
            total[labels[pos]] += 1;
        }
        double meanDice = 0;
        for (int k = 0; k < ax.classes; k++) meanDice += (2 * inter[k] + eps) / (total[k] + eps) / ax.classes;
        return Tensor.result(
                "soft_dice",
                new float[] {(float) (1 - meanDice)},
                new int[] {1},
                out -> {
                    float g = out.grad()[0];
                    float[] gp = probs.grad();
                    for (int pos = 0; pos < labels.length; pos++) {
                        int base = ax.base(pos);
                        for (int k = 0; k < ax.classes; k++) {
                            double s = total[k] + eps, t = labels[pos] == k ? 1 : 0;
                            gp[base + k * ax.inner] +=
                                    (float) (-g / ax.classes * (2 * t * s - (2 * inter[k] + eps)) / (s * s));
                        }
                    }
                },
                probs);
    }
}
