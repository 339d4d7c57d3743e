package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/** y = min(max(x, 0), 6) (torch.nn.ReLU6, MobileNet's activation); dy/dx = 1 where 0 < x < 6. Any shape. */
public final class Relu6 {
    /** One object each, so an exported graph holds the two bounds once however many ReLU6 it has. */
    private static final Float ZERO = 0f, SIX = 6f;

    private Relu6() {}

    public static Tensor apply(Tensor x) {
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        Parallel.forChunks(y.length, (from, to) -> {
            for (int i = from; i < to; i++) y[i] = Math.min(Math.max(xs[i], 0f), 6f);
        });
        return Trace.traced(
                Tensor.result(
                        "relu6",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            Parallel.forChunks(gy.length, (from, to) -> {
                                Gates.addWhereInside(gx, xs, gy, 0f, 6f, from, to);
                            });
                        },
                        x),
                "Clip", // opset ≥ 11: the bounds are inputs
                Trace.attrs(),
                x,
                ZERO, // scalar bounds, as ONNX's Clip wants them
                SIX);
    }
}
