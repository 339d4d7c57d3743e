package org.cnnj.ops;

import org.cnnj.tensor.Tensor;

/** y = max(x, 0); dy/dx = 1 where x > 0. Any shape. */
public final class Relu {
    private Relu() {}

    public static Tensor apply(Tensor x) {
        float[] xs = x.data(), y = new float[xs.length];
        for (int i = 0; i < y.length; i++) y[i] = Math.max(xs[i], 0f);
        return Tensor.result("relu", y, x.shape(), out -> {
            float[] gx = x.grad(), gy = out.grad();
            for (int i = 0; i < gy.length; i++) gx[i] += xs[i] > 0f ? gy[i] : 0f;
        }, x);
    }
}
