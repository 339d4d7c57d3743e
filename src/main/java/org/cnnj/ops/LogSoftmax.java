package org.cnnj.ops;

import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * log(softmax(x)) over the class axis 1, computed stably as x − max − log Σ exp(x − max).
 * Shapes: x [N, C, ...] → y same. Backward: dx = dy − softmax·Σ_c dy.
 */
public final class LogSoftmax {
    private LogSoftmax() {}

    public static Tensor apply(Tensor x) {
        ClassAxis ax = ClassAxis.of("log_softmax", x);
        float[] xs = x.data(), y = new float[xs.length];
        ax.forEachColumn((base, stride) -> {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < ax.classes; k++) max = Math.max(max, xs[base + k * stride]);
            double sum = 0;
            for (int k = 0; k < ax.classes; k++) sum += Math.exp(xs[base + k * stride] - max);
            float logSum = max + (float) Math.log(sum);
            for (int k = 0; k < ax.classes; k++) y[base + k * stride] = xs[base + k * stride] - logSum;
        });
        return Trace.traced(
                Tensor.result(
                        "log_softmax",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            ax.forEachColumn((base, stride) -> {
                                float sum = 0;
                                for (int k = 0; k < ax.classes; k++) sum += gy[base + k * stride];
                                for (int k = 0; k < ax.classes; k++) {
                                    int i = base + k * stride;
                                    gx[i] += gy[i] - (float) Math.exp(y[i]) * sum;
                                }
                            });
                        },
                        x),
                "LogSoftmax",
                Trace.attrs("axis", 1L),
                x);
    }
}
