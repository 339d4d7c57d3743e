package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Concatenation along one axis: along channels [N, C1, H, W] ⊕ [N, C2, H, W] → [N, C1+C2, H, W] (U-Net skips, dense
 * blocks); along any axis, e.g. the positions of a detector's pyramid levels [N, C, P1] ⊕ [N, C, P2] → [N, C, P1+P2].
 */
public final class Concat {
    private Concat() {}

    public static Tensor channels(Tensor... parts) {
        return along(1, parts);
    }

    /** Parts alike but along {@code axis}. */
    public static Tensor along(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: nothing to concatenate");
        Tensor first = parts[0];
        if (axis < 0 || axis >= first.rank())
            throw new IllegalArgumentException("concat: axis " + axis + " is not one of " + first.describe());
        int outer = Shapes.size(first.shape()) / Shapes.sizeFrom(first.shape(), axis),
                inner = Shapes.sizeFrom(first.shape(), axis + 1),
                total = 0;
        for (Tensor p : parts) {
            boolean ok = p.rank() == first.rank();
            for (int d = 0; ok && d < p.rank(); d++) ok = d == axis || p.dim(d) == first.dim(d);
            if (!ok) {
                throw new IllegalArgumentException(
                        "concat: " + Shapes.str(p.shape()) + " does not match " + Shapes.str(first.shape())
                                + " outside axis " + axis
                                + "; in a U-Net this means the input size is not a multiple of 2^depth:"
                                + " pad or crop the image (or tile) to such a multiple");
            }
            total += p.dim(axis);
        }
        int[] shape = first.shape();
        shape[axis] = total;
        int size = total;
        float[] y = BufferPool.take(outer * total * inner);
        int[] offsets = new int[parts.length];
        for (int s = 0; s < outer; s++) {
            int c0 = 0;
            for (int k = 0; k < parts.length; k++) {
                int block = parts[k].dim(axis) * inner;
                offsets[k] = c0;
                System.arraycopy(parts[k].data(), s * block, y, (s * size + c0) * inner, block);
                c0 += parts[k].dim(axis);
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
                                int block = parts[k].dim(axis) * inner;
                                for (int s = 0; s < outer; s++) {
                                    int src = (s * size + offsets[k]) * inner, dst = s * block;
                                    if (fresh) System.arraycopy(gy, src, g, dst, block);
                                    else for (int i = 0; i < block; i++) g[dst + i] += gy[src + i];
                                }
                            }
                        },
                        parts),
                "Concat",
                Trace.attrs("axis", (long) axis),
                (Object[]) parts);
    }
}
