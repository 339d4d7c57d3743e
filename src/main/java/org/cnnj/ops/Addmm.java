package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** Fully connected layer. Shapes: x [N, IN], weight [OUT, IN], bias [OUT] or null → y [N, OUT] = x·Wᵀ + b. */
public final class Addmm {
    private Addmm() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        Shapes.requireRank("linear", "input", x, 2, "[N, features] (flatten it first)");
        Shapes.requireRank("linear", "weight", weight, 2, "[out features, in features]");
        int n = x.dim(0), in = x.dim(1), out = weight.dim(0);
        if (weight.dim(1) != in) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(x.shape()) + " has " + in
                    + " features but weight " + Shapes.str(weight.shape()) + " expects " + weight.dim(1));
        }
        if (bias != null && bias.size() != out) {
            throw new IllegalArgumentException(
                    "linear: bias " + Shapes.str(bias.shape()) + " must have " + out + " values");
        }
        float[] y = new float[n * out];
        Gemm.multiplyParallel(false, true, n, out, in, x.data(), 0, in, weight.data(), 0, in, y, 0, out, false);
        if (bias != null) {
            for (int s = 0; s < n; s++) for (int o = 0; o < out; o++) y[s * out + o] += bias.data()[o];
        }
        Tensor.Backward back = t -> {
            float[] dy = t.grad();
            if (x.requiresGrad())
                Gemm.multiplyParallel(
                        false, false, n, in, out, dy, 0, out, weight.data(), 0, in, x.grad(), 0, in, true);
            if (weight.requiresGrad())
                Gemm.multiplyParallel(true, false, out, in, n, dy, 0, out, x.data(), 0, in, weight.grad(), 0, in, true);
            if (bias != null && bias.requiresGrad()) Reductions.addChannelSums(dy, n, out, 1, bias.grad());
        };
        Tensor result = bias == null
                ? Tensor.result("linear", y, new int[] {n, out}, back, x, weight)
                : Tensor.result("linear", y, new int[] {n, out}, back, x, weight, bias);
        return Trace.traced(
                result,
                "Gemm",
                Trace.attrs("transB", 1L),
                bias == null ? new Object[] {x, weight} : new Object[] {x, weight, bias});
    }
}
