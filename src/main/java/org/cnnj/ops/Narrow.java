package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * A contiguous range of channels (torch.narrow on dim 1): [N, C, H, W] → [N, length, H, W] taking
 * channels start..start+length−1. Lets one network output feed several losses (class logits and a
 * regression channel). Backward adds the gradient into the same channels and leaves the others alone.
 */
public final class Narrow {
    private Narrow() {}

    public static Tensor channels(Tensor x, int start, int length) {
        if (x.rank() < 2) throw new IllegalArgumentException("narrow: needs [N, C, ...], got " + Shapes.str(x.shape()));
        int n = x.dim(0), c = x.dim(1), inner = Shapes.sizeFrom(x.shape(), 2);
        if (start < 0 || length < 1 || start + length > c) {
            throw new IllegalArgumentException("narrow: channels " + start + ".." + (start + length - 1)
                    + " are not within the " + c + " of " + Shapes.str(x.shape()));
        }
        int[] shape = x.shape();
        shape[1] = length;
        float[] y = BufferPool.take(n * length * inner);
        int block = length * inner;
        for (int s = 0; s < n; s++) System.arraycopy(x.data(), (s * c + start) * inner, y, s * block, block);
        Tensor narrowed = Tensor.result(
                "narrow",
                y,
                shape,
                out -> {
                    float[] gy = out.grad(), gx = x.grad();
                    for (int s = 0; s < n; s++) {
                        int src = s * block, dst = (s * c + start) * inner;
                        for (int i = 0; i < block; i++) gx[dst + i] += gy[src + i];
                    }
                },
                x);
        // ONNX Slice along the channel axis: starts, ends, axes as int64 inputs.
        return Trace.traced(
                narrowed, "Slice", Trace.attrs(), x, new long[] {start}, new long[] {start + length}, new long[] {1});
    }
}
