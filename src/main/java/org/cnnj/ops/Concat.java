package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** Concatenation along channels: [N, C1, H, W] ⊕ [N, C2, H, W] → [N, C1+C2, H, W] (U-Net skips, dense blocks). */
public final class Concat {
    private Concat() {}

    public static Tensor channels(Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: nothing to concatenate");
        Tensor first = parts[0];
        int n = first.dim(0), inner = Shapes.sizeFrom(first.shape(), 2), channels = 0;
        for (Tensor p : parts) {
            boolean ok = p.rank() == first.rank() && p.dim(0) == n && Shapes.sizeFrom(p.shape(), 2) == inner;
            for (int d = 2; ok && d < p.rank(); d++) ok = p.dim(d) == first.dim(d);
            if (!ok) {
                throw new IllegalArgumentException(
                        "concat: " + Shapes.str(p.shape()) + " does not match " + Shapes.str(first.shape())
                                + " outside the channel axis; in a U-Net this means the input size is not a multiple of 2^depth:"
                                + " pad or crop the image (or tile) to such a multiple");
            }
            channels += p.dim(1);
        }
        int[] shape = first.shape();
        shape[1] = channels;
        int total = channels;
        float[] y = BufferPool.take(n * total * inner);
        int[] offsets = new int[parts.length];
        for (int s = 0; s < n; s++) {
            int c0 = 0;
            for (int k = 0; k < parts.length; k++) {
                int block = parts[k].dim(1) * inner;
                offsets[k] = c0;
                System.arraycopy(parts[k].data(), s * block, y, (s * channels + c0) * inner, block);
                c0 += parts[k].dim(1);
            }
        }
        return Trace.traced(
                Tensor.result(
                        "concat",
                        y,
                        shape,
                        out -> {
                            float[] gy = out.grad();
                            for (int k = 0; k < parts.length; k++) {
                                if (!parts[k].requiresGrad()) continue;
                                boolean fresh = parts[k].freshGradOrNull() != null;
                                float[] g = parts[k].grad();
                                int block = parts[k].dim(1) * inner;
                                for (int s = 0; s < n; s++) {
                                    int src = (s * total + offsets[k]) * inner, dst = s * block;
                                    if (fresh) System.arraycopy(gy, src, g, dst, block);
                                    else for (int i = 0; i < block; i++) g[dst + i] += gy[src + i];
                                }
                            }
                        },
                        parts),
                "Concat",
                Trace.attrs("axis", 1L),
                (Object[]) parts);
    }
}
