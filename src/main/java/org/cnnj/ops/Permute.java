package org.cnnj.ops;

import java.util.Arrays;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Reorders the axes (torch.permute, ONNX Transpose): y has shape [x.dim(perm[0]), x.dim(perm[1]), …] and y[i₀, i₁, …]
 * = x at index i_k on axis perm[k]. Any rank (ShuffleNet's channel shuffle permutes a 5-D view). Backward permutes
 * the gradient back.
 */
public final class Permute {
    private Permute() {}

    public static Tensor apply(Tensor x, int... perm) {
        int rank = x.rank();
        boolean[] seen = new boolean[rank];
        boolean valid = perm.length == rank;
        for (int i = 0; valid && i < rank; i++)
            valid = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]] && (seen[perm[i]] = true);
        if (!valid)
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not an order of the " + rank
                    + " axes of " + Shapes.str(x.shape()));
        int[] in = x.shape(), out = new int[rank], inStrides = strides(in);
        for (int k = 0; k < rank; k++) out[k] = in[perm[k]];
        // Stride in x of each output axis: walking y in order reads x at these steps.
        int[] step = new int[rank];
        for (int k = 0; k < rank; k++) step[k] = inStrides[perm[k]];
        int[] source = new int[x.size()];
        int[] index = new int[rank];
        for (int i = 0, offset = 0; i < source.length; i++) {
            source[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                offset += step[d];
                if (++index[d] < out[d]) break;
                offset -= step[d] * out[d];
                index[d] = 0;
            }
        }
        float[] xs = x.data(), y = BufferPool.take(xs.length);
        for (int i = 0; i < y.length; i++) y[i] = xs[source[i]];
        long[] onnxPerm = Arrays.stream(perm).asLongStream().toArray();
        return Trace.traced(
                Tensor.result(
                        "permute",
                        y,
                        out,
                        t -> {
                            float[] gx = x.grad(), gy = t.grad();
                            for (int i = 0; i < gy.length; i++) gx[source[i]] += gy[i];
                        },
                        x),
                "Transpose",
                Trace.attrs("perm", onnxPerm),
                x);
    }

    private static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        for (int d = shape.length - 1, acc = 1; d >= 0; acc *= shape[d--]) s[d] = acc;
        return s;
    }
}
