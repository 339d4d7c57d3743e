package org.cnnj.loss;

import org.cnnj.ops.ClassAxis;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.FloatMath;
import org.cnnj.util.Parallel;

/**
 * Per-pixel softmax cross-entropy (PyTorch CrossEntropyLoss with weight and ignore_index).
 * Shapes: logits [N, C] or [N, C, H, W]; labels int [N] or [N·H·W] in 0..C−1 (or the ignore label).
 * loss = Σ w[yᵢ]·(−log softmax(xᵢ)[yᵢ]) / Σ w[yᵢ] over non-ignored positions;
 * dx = w[yᵢ]·(softmax(xᵢ) − onehot(yᵢ)) / Σ w.
 * With label smoothing ε (PyTorch's label_smoothing) the target is q = (1 − ε)·onehot(yᵢ) + ε/C:
 * loss = mean −Σₖ qₖ·log softmax(xᵢ)ₖ, dx = (softmax(xᵢ) − q) / positions.
 */
public final class SoftmaxCrossEntropy {
    /** Use as ignore label when every position counts. */
    public static final int NO_IGNORE = Integer.MIN_VALUE;

    private SoftmaxCrossEntropy() {}

    public static Tensor apply(Tensor logits, int[] labels) {
        return apply(logits, labels, null, NO_IGNORE);
    }

    public static Tensor apply(Tensor logits, int[] labels, float[] classWeights, int ignoreLabel) {
        ClassAxis ax = ClassAxis.of("cross_entropy", logits);
        int positions = ax.columns();
        if (labels.length != positions) {
            throw new IllegalArgumentException(
                    "cross_entropy: " + labels.length + " labels for logits " + Shapes.str(logits.shape()) + " ("
                            + positions + " positions); the label image must have the size of the network output");
        }
        if (classWeights != null && classWeights.length != ax.classes) {
            throw new IllegalArgumentException(
                    "cross_entropy: " + classWeights.length + " class weights for " + ax.classes + " classes");
        }
        for (int p = 0; p < positions; p++) {
            int label = labels[p];
            if (label != ignoreLabel && (label < 0 || label >= ax.classes)) {
                throw new IllegalArgumentException("cross_entropy: label " + label + " at position " + p
                        + " is outside the " + ax.classes + " classes 0.." + (ax.classes - 1)
                        + "; relabel the image or build the model with more classes");
            }
        }
        float[] x = logits.data(), probs = BufferPool.take(x.length);
        int blocks = (positions + BLOCK - 1) / BLOCK;
        double[] lossParts = new double[blocks], weightParts = new double[blocks];
        Parallel.forEach(blocks, b -> {
            double lossSum = 0, weightSum = 0;
            for (int p = b * BLOCK, end = Math.min(positions, p + BLOCK); p < end; p++) {
                int label = labels[p];
                if (label == ignoreLabel) continue;
                int base = ax.base(p);
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < ax.classes; k++) max = Math.max(max, x[base + k * ax.inner]);
                double sum = 0;
                for (int k = 0; k < ax.classes; k++) {
                    float e = FloatMath.exp(x[base + k * ax.inner] - max);
                    probs[base + k * ax.inner] = e;
                    sum += e;
                }
                for (int k = 0; k < ax.classes; k++) probs[base + k * ax.inner] /= (float) sum;
                float w = classWeights == null ? 1f : classWeights[label];
                lossSum += w * -(x[base + label * ax.inner] - max - Math.log(sum));
                weightSum += w;
            }
            lossParts[b] = lossSum;
            weightParts[b] = weightSum;
        });
        double lossSum = 0, weightSum = 0;
        for (int b = 0; b < blocks; b++) {
            lossSum += lossParts[b];
            weightSum += weightParts[b];
        }
        // All positions ignored: zero loss and gradient instead of PyTorch's NaN, so a patch without labels is
        // harmless.
        float scale = weightSum > 0 ? (float) (1.0 / weightSum) : 0f;
        float loss = (float) (lossSum * scale);
        return Tensor.result(
                        "cross_entropy",
                        new float[] {loss},
                        new int[] {1},
                        out -> {
                            float g = out.grad()[0] * scale;
                            float[] gx = logits.grad();
                            Parallel.forEach(blocks, b -> {
                                for (int p = b * BLOCK, end = Math.min(positions, p + BLOCK); p < end; p++) {
                                    int label = labels[p];
                                    if (label == ignoreLabel) continue;
                                    int base = ax.base(p);
                                    float w = (classWeights == null ? 1f : classWeights[label]) * g;
                                    for (int k = 0; k < ax.classes; k++)
                                        gx[base + k * ax.inner] += w * probs[base + k * ax.inner];
                                    gx[base + label * ax.inner] -= w;
                                }
                            });
                        },
                        logits)
                .savedForBackward(probs);
    }

    /**
     * Positions per parallel item. Fixed, and the items' partial sums are added in item order, so the loss is the same
     * at every thread count. (One thread took ~2% of a U-Net training step here, the other core idle.)
     */
    private static final int BLOCK = 4096;

    /** Mean cross-entropy against label-smoothed targets (every position counts, no class weights). */
    public static Tensor apply(Tensor logits, int[] labels, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f))
            throw new IllegalArgumentException(
                    "cross_entropy: label smoothing must be in [0, 1), got " + labelSmoothing);
        if (labelSmoothing == 0f) return apply(logits, labels);
        ClassAxis ax = ClassAxis.of("cross_entropy", logits);
        int positions = ax.columns();
        if (labels.length != positions)
            throw new IllegalArgumentException(
                    "cross_entropy: " + labels.length + " labels for " + positions + " positions");
        float[] x = logits.data(), probs = BufferPool.take(x.length);
        float offTarget = labelSmoothing / ax.classes, onTarget = 1f - labelSmoothing + offTarget;
        double lossSum = 0;
        for (int p = 0; p < positions; p++) {
            int label = labels[p];
            if (label < 0 || label >= ax.classes)
                throw new IllegalArgumentException("cross_entropy: label " + label + " is outside the " + ax.classes
                        + " classes 0.." + (ax.classes - 1));
            int base = ax.base(p);
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < ax.classes; k++) max = Math.max(max, x[base + k * ax.inner]);
            double sum = 0;
            for (int k = 0; k < ax.classes; k++) sum += Math.exp(x[base + k * ax.inner] - max);
            double logSum = Math.log(sum);
            for (int k = 0; k < ax.classes; k++) {
                double logP = x[base + k * ax.inner] - max - logSum;
                probs[base + k * ax.inner] = (float) Math.exp(logP);
                lossSum -= (k == label ? onTarget : offTarget) * logP;
            }
        }
        float scale = 1f / positions;
        return Tensor.result(
                        "cross_entropy",
                        new float[] {(float) (lossSum * scale)},
                        new int[] {1},
                        out -> {
                            float g = out.grad()[0] * scale;
                            float[] gx = logits.grad();
                            for (int p = 0; p < positions; p++) {
                                int base = ax.base(p);
                                for (int k = 0; k < ax.classes; k++)
                                    gx[base + k * ax.inner] +=
                                            g * (probs[base + k * ax.inner] - (k == labels[p] ? onTarget : offTarget));
                            }
                        },
                        logits)
                .savedForBackward(probs);
    }
}
