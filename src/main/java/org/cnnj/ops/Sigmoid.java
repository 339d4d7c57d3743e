package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** y = 1/(1+e^−x); dy/dx = y(1−y). Any shape. */
public final class Sigmoid {
    private Sigmoid() {}

    public static float of(float v) {
        return v >= 0 ? 1f / (1f + (float) Math.exp(-v)) : (float) (Math.exp(v) / (1.0 + Math.exp(v)));
    }

    public static Tensor apply(Tensor x) {
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        for (int i = 0; i < y.length; i++) y[i] = of(xs[i]);
        return Trace.traced(
                Tensor.result(
                        "sigmoid",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int i = 0; i < gy.length; i++) gx[i] += gy[i] * y[i] * (1f - y[i]);
                        },
                        x),
                "Sigmoid",
                Trace.attrs(),
                x);
    }
}
