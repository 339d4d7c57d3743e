package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** y = x for x > 0 else slope·x. Any shape. */
public final class LeakyRelu {
    private LeakyRelu() {}

    public static Tensor apply(Tensor x, float slope) {
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        for (int i = 0; i < y.length; i++) y[i] = xs[i] > 0f ? xs[i] : slope * xs[i];
        return Trace.traced(
                Tensor.result(
                        "leaky_relu",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int i = 0; i < gy.length; i++) gx[i] += xs[i] > 0f ? gy[i] : slope * gy[i];
                        },
                        x),
                "LeakyRelu",
                Trace.attrs("alpha", slope),
                x);
    }
}
