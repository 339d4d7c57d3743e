package org.cnnj.ops;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** Reshape/flatten: same values in the same order, new shape; the data array is shared, not copied. */
public final class Reshape {
    private Reshape() {}

    /** One dimension may be -1: it is inferred from the others. */
    public static Tensor apply(Tensor x, int... shape) {
        int[] s = resolved(x, shape);
        return Trace.traced(view(x, s), "Reshape", Trace.attrs(), x, toLongs(s));
    }

    /** The shape with its −1 filled in, checked to hold x's values. */
    private static int[] resolved(Tensor x, int[] shape) {
        int[] s = shape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0)
                    throw new IllegalArgumentException("reshape: only one dimension may be -1 in " + Shapes.str(shape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0 && known > 0 && x.size() % known == 0) s[infer] = x.size() / known;
        if (Shapes.size(s) != x.size() || infer >= 0 && s[infer] == -1) {
            throw new IllegalArgumentException("reshape: cannot view " + x.describe() + " (" + x.size() + " values) as "
                    + Shapes.str(shape) + "; the number of values must stay the same");
        }
        return s;
    }

    /**
     * {@link #apply} for a shape that keeps the batch axis ({@code shape[0] == x.dim(0)}): exported with 0 there (ONNX:
     * copy the input's size), so the exported graph runs at any batch size.
     */
    public static Tensor keepingBatch(Tensor x, int... shape) {
        if (shape.length == 0 || shape[0] != x.dim(0))
            throw new IllegalArgumentException(
                    "reshape: " + Shapes.str(shape) + " does not keep the batch of " + x.describe());
        int[] s = resolved(x, shape);
        long[] traced = toLongs(s);
        traced[0] = 0;
        return Trace.traced(view(x, s), "Reshape", Trace.attrs(), x, traced);
    }

    /** [N, ...] → [N, product of the rest]; exported as ONNX Flatten, so the batch size stays free. */
    public static Tensor flatten(Tensor x) {
        return Trace.traced(view(x, new int[] {x.dim(0), x.size() / x.dim(0)}), "Flatten", Trace.attrs("axis", 1L), x);
    }

    private static Tensor view(Tensor x, int[] shape) {
        return Tensor.result(
                "reshape",
                x.data(),
                shape,
                out -> {
                    float[] gx = x.grad(), gy = out.grad();
                    for (int i = 0; i < gy.length; i++) gx[i] += gy[i];
                },
                x);
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
