package org.cnnj.ops;

import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.FloatMath;

/**
 * Softmax over the class axis 1. Shapes: x [N, C, ...] → y same. Backward: dx = y·(dy − Σ_c dy·y).
 */
public final class Softmax {
    private Softmax() {}

    /**
     * Probabilities of one position's {@code count} logits from {@code offset}, into out[0, count): the plain-array
     * softmax the segmenters and classifiers apply to a model's output, once per pixel (max subtracted, exp in float
     * by {@link FloatMath#exp} — within 1 ulp, 3x faster than Math.exp —, summed in double).
     */
    public static void probabilities(float[] logits, int offset, int count, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) max = Math.max(max, logits[offset + c]);
        double sum = 0;
        for (int c = 0; c < count; c++) {
            float e = FloatMath.exp(logits[offset + c] - max);
            sum += e;
            out[c] = e;
        }
        float inverse = (float) (1 / sum);
        for (int c = 0; c < count; c++) out[c] *= inverse;
    }

    public static Tensor apply(Tensor x) {
        ClassAxis ax = ClassAxis.of("softmax", x);
        float[] xs = x.data(), y = new float[xs.length];
        ax.forEachColumn((base, stride) -> {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < ax.classes; k++) max = Math.max(max, xs[base + k * stride]);
            float sum = 0;
            for (int k = 0; k < ax.classes; k++) {
                float e = (float) Math.exp(xs[base + k * stride] - max);
                y[base + k * stride] = e;
                sum += e;
            }
            for (int k = 0; k < ax.classes; k++) y[base + k * stride] /= sum;
        });
        return Trace.traced(
                Tensor.result(
                        "softmax",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            ax.forEachColumn((base, stride) -> {
                                float dot = 0;
                                for (int k = 0; k < ax.classes; k++)
                                    dot += gy[base + k * stride] * y[base + k * stride];
                                for (int k = 0; k < ax.classes; k++) {
                                    int i = base + k * stride;
                                    gx[i] += y[i] * (gy[i] - dot);
                                }
                            });
                        },
                        x),
                "Softmax",
                Trace.attrs("axis", 1L),
                x);
    }
}
