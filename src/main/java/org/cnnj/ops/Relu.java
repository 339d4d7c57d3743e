package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/** y = max(x, 0); dy/dx = 1 where x > 0. Any shape. */
public final class Relu {
    private Relu() {}

    public static Tensor apply(Tensor x) {
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        Parallel.forChunks(y.length, (from, to) -> {
            for (int i = from; i < to; i++) y[i] = Math.max(xs[i], 0f);
        });
        return Trace.traced(
                Tensor.result(
                        "relu",
                        y,
                        x.shape(),
                        out -> {
                            float[] fresh = x.freshGradOrNull(), gx = x.grad(), gy = out.grad();
                            Parallel.forChunks(gy.length, (from, to) -> {
                                if (fresh != null) Gates.writeWherePositive(gx, xs, gy, from, to);
                                else Gates.addWherePositive(gx, xs, gy, from, to);
                            });
                        },
                        x),
                "Relu",
                Trace.attrs(),
                x);
    }
}
