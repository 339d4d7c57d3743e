package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** y = tanh(x); dy/dx = 1 − y². Any shape. */
public final class Tanh {
    private Tanh() {}

    public static Tensor apply(Tensor x) {
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        for (int i = 0; i < y.length; i++) y[i] = (float) Math.tanh(xs[i]);
        return Trace.traced(
                Tensor.result(
                        "tanh",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int i = 0; i < gy.length; i++) gx[i] += gy[i] * (1f - y[i] * y[i]);
                        },
                        x),
                "Tanh",
                Trace.attrs(),
                x);
    }
}
