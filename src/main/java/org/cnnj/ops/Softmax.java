package org.cnnj.ops;

import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Softmax over the class axis 1. Shapes: x [N, C, ...] → y same. Backward: dx = y·(dy − Σ_c dy·y).
 */
public final class Softmax {
    private Softmax() {}

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
