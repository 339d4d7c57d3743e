package org.cnnj.ops;

import java.util.Arrays;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * y = x ⊙ s where s has the shape of x, or is [N, C, 1, 1] and scales whole channels of x [N, C, H, W]
 * (squeeze-and-excitation gating).
 */
public final class Multiply {
    private Multiply() {}

    public static Tensor apply(Tensor x, Tensor s) {
        boolean perChannel = x.rank() == 4
                && s.rank() == 4
                && s.dim(0) == x.dim(0)
                && s.dim(1) == x.dim(1)
                && s.dim(2) == 1
                && s.dim(3) == 1
                && (x.dim(2) != 1 || x.dim(3) != 1);
        if (!perChannel) {
            if (!Arrays.equals(x.shape(), s.shape())) {
                throw new IllegalArgumentException("multiply: " + Shapes.str(s.shape()) + " can neither multiply "
                        + Shapes.str(x.shape()) + " element by element nor scale its channels (that needs ["
                        + (x.rank() == 4 ? x.dim(0) + ", " + x.dim(1) : "N, C") + ", 1, 1])");
            }
        }
        int plane = perChannel ? x.dim(2) * x.dim(3) : 1;
        float[] xs = x.data(), ss = s.data(), y = new float[xs.length];
        for (int i = 0; i < y.length; i++) y[i] = xs[i] * ss[i / plane];
        // ONNX Mul broadcasts [N, C, 1, 1] over [N, C, H, W] exactly like the per-channel case here.
        return Trace.traced(
                Tensor.result(
                        "multiply",
                        y,
                        x.shape(),
                        out -> {
                            float[] gy = out.grad();
                            if (x.requiresGrad()) {
                                float[] gx = x.grad();
                                for (int i = 0; i < gy.length; i++) gx[i] += gy[i] * ss[i / plane];
                            }
                            if (s.requiresGrad()) {
                                float[] gs = s.grad();
                                for (int i = 0; i < gy.length; i++) gs[i / plane] += gy[i] * xs[i];
                            }
                        },
                        x,
                        s),
                "Mul",
                Trace.attrs(),
                x,
                s);
    }
}
