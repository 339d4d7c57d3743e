package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** y = a + b, same shapes (residual connections). */
public final class Add {
    private Add() {}

    public static Tensor apply(Tensor a, Tensor b) {
        Shapes.requireSameShape("add", a, b);
        float[] as = a.data(), bs = b.data(), y = BufferPool.take(as.length);
        for (int i = 0; i < y.length; i++) y[i] = as[i] + bs[i];
        return Trace.traced(
                Tensor.result(
                        "add",
                        y,
                        a.shape(),
                        out -> {
                            float[] gy = out.grad();
                            for (Tensor t : new Tensor[] {a, b}) {
                                if (!t.requiresGrad()) continue;
                                float[] g = t.grad();
                                for (int i = 0; i < gy.length; i++) g[i] += gy[i];
                            }
                        },
                        a,
                        b),
                "Add",
                Trace.attrs(),
                a,
                b);
    }
}
