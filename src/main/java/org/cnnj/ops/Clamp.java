package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** y = min(max(x, lo), hi) (torch.clamp, ONNX Clip); dy/dx = 1 where lo < x < hi. Any shape; ±∞ = unbounded. */
public final class Clamp {
    private Clamp() {}

    public static Tensor apply(Tensor x, float lo, float hi) {
        if (!(lo <= hi))
            throw new IllegalArgumentException("clamp: the lower bound " + lo + " exceeds the upper " + hi);
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        for (int i = 0; i < y.length; i++) y[i] = Math.min(Math.max(xs[i], lo), hi);
        Tensor out = Tensor.result(
                "clamp",
                y,
                x.shape(),
                t -> {
                    float[] gx = x.grad(), gy = t.grad();
                    Gates.addWhereInside(gx, xs, gy, lo, hi, 0, gy.length);
                },
                x);
        return Trace.traced(out, "Clip", Trace.attrs(), x, (Float) lo, (Float) hi);
    }
}
