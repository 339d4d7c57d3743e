package org.cnnj.ops;

import java.util.Arrays;
import java.util.Locale;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Element-wise a ∘ b with NumPy/ONNX broadcasting (torch.add/sub/mul/div): shapes are aligned at their last axes and
 * an axis of size 1 (or a missing one) is repeated. Shapes: a [..., dᵢ], b [..., eᵢ] with dᵢ = eᵢ or one of them 1 →
 * y [..., max(dᵢ, eᵢ)]. Backward: each input's gradient is summed over the axes it was repeated along —
 * ∂(a+b) = (1, 1), ∂(a−b) = (1, −1), ∂(a·b) = (b, a), ∂(a/b) = (1/b, −a/b²).
 */
public final class Broadcast {
    public enum Kind {
        ADD,
        SUB,
        MUL,
        DIV;

        /** The ONNX op: Add, Sub, Mul, Div. */
        String onnx() {
            String n = name().toLowerCase(Locale.ROOT);
            return Character.toUpperCase(n.charAt(0)) + n.substring(1);
        }
    }

    private Broadcast() {}

    public static Tensor apply(Tensor a, Tensor b, Kind kind) {
        int rank = Math.max(a.rank(), b.rank());
        int[] shape = new int[rank], as = aligned(a.shape(), rank), bs = aligned(b.shape(), rank);
        for (int i = 0; i < rank; i++) {
            if (as[i] != bs[i] && as[i] != 1 && bs[i] != 1) {
                throw new IllegalArgumentException(kind.onnx().toLowerCase(Locale.ROOT) + ": shapes "
                        + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " do not broadcast (axis " + i
                        + ": " + as[i] + " vs " + bs[i] + ")");
            }
            shape[i] = Math.max(as[i], bs[i]);
        }
        int n = Shapes.size(shape);
        int[] ia = new int[n], ib = new int[n]; // the element of a and of b each output element reads
        int[] aStride = strides(as), bStride = strides(bs), index = new int[rank];
        for (int o = 0; o < n; o++) {
            int pa = 0, pb = 0;
            for (int d = 0; d < rank; d++) {
                if (as[d] != 1) pa += index[d] * aStride[d];
                if (bs[d] != 1) pb += index[d] * bStride[d];
            }
            ia[o] = pa;
            ib[o] = pb;
            for (int d = rank - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        float[] x = a.data(), z = b.data(), y = new float[n];
        for (int o = 0; o < n; o++) {
            float p = x[ia[o]], q = z[ib[o]];
            y[o] = switch (kind) {
                case ADD -> p + q;
                case SUB -> p - q;
                case MUL -> p * q;
                case DIV -> p / q;
            };
        }
        Tensor out = Tensor.result(
                "broadcast_" + kind.name().toLowerCase(Locale.ROOT),
                y,
                shape,
                t -> {
                    float[] g = t.grad();
                    float[] ga = a.requiresGrad() ? a.grad() : null, gb = b.requiresGrad() ? b.grad() : null;
                    for (int o = 0; o < n; o++) {
                        float p = x[ia[o]], q = z[ib[o]];
                        switch (kind) {
                            case ADD -> {
                                if (ga != null) ga[ia[o]] += g[o];
                                if (gb != null) gb[ib[o]] += g[o];
                            }
                            case SUB -> {
                                if (ga != null) ga[ia[o]] += g[o];
                                if (gb != null) gb[ib[o]] -= g[o];
                            }
                            case MUL -> {
                                if (ga != null) ga[ia[o]] += g[o] * q;
                                if (gb != null) gb[ib[o]] += g[o] * p;
                            }
                            case DIV -> {
                                if (ga != null) ga[ia[o]] += g[o] / q;
                                if (gb != null) gb[ib[o]] -= g[o] * p / (q * q);
                            }
                        }
                    }
                },
                a,
                b);
        return Trace.traced(out, kind.onnx(), Trace.attrs(), a, b);
    }

    /** The shape with leading 1s up to {@code rank} (NumPy aligns shapes at their last axes). */
    private static int[] aligned(int[] s, int rank) {
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        System.arraycopy(s, 0, out, rank - s.length, s.length);
        return out;
    }

    private static int[] strides(int[] s) {
        int[] st = new int[s.length];
        int acc = 1;
        for (int i = s.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= s[i];
        }
        return st;
    }
}
