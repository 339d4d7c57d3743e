package org.cnnj.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.cnnj.tensor.Tensor;

/**
 * The small integer computations exporters put around a network to size an output from its input (torchvision's
 * FCN: Shape → Gather → Unsqueeze → Concat → Cast → Resize sizes), evaluated on each forward for the input at hand:
 * Shape, Gather (axis 0), Unsqueeze, Squeeze, Slice (1-D), Concat (axis 0), Cast, and Add/Sub/Mul/Div of two shape
 * values. They act on shape vectors only; on image data they are refused by name (Concat and Slice of images are
 * GraphNetwork's own). Values are 1-D long vectors (a scalar is a vector of one).
 */
final class ShapeArithmetic {
    static final Set<String> OPS = Set.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Concat", "Cast");

    private ShapeArithmetic() {}

    /**
     * The node's integer result, or null when it is not shape arithmetic (a Concat of image tensors). {@code ints}
     * gives the integer value of a name (computed earlier in this forward, or a constant), {@code tensors} a tensor's.
     */
    static long[] evaluate(OnnxModelInfo.Node n, Function<String, long[]> ints, Function<String, Tensor> tensors) {
        List<String> in = n.inputs();
        String where = n.opType() + " (output " + n.outputs().get(0) + ")";
        if (n.opType().equals("Shape")) {
            Tensor t = tensors.apply(in.get(0));
            if (t == null) throw new IllegalArgumentException(where + " of a value CNN-J does not compute");
            long[] dims = Arrays.stream(t.shape()).asLongStream().toArray();
            int start = (int) clampAxis(n.integer("start", 0), dims.length),
                    end = (int) clampAxis(n.integer("end", dims.length), dims.length);
            return Arrays.copyOfRange(dims, start, Math.max(start, end));
        }
        long[] data = ints.apply(in.get(0));
        if (data == null) {
            if (n.opType().equals("Concat")
                    || n.opType().equals("Slice")
                    || n.opType().equals("Cast")) return null; // image tensors: GraphNetwork's Concat, Slice and Cast
            throw new IllegalArgumentException(where + " acts on image data; CNN-J evaluates " + n.opType()
                    + " only on shape vectors (export the model without it)");
        }
        return switch (n.opType()) {
            case "Gather" -> {
                if (n.integer("axis", 0) != 0)
                    throw new IllegalArgumentException(where + " gathers along axis " + n.integer("axis", 0));
                long[] idx = ints.apply(in.get(1));
                if (idx == null) throw new IllegalArgumentException(where + " takes computed indices");
                long[] out = new long[idx.length];
                for (int i = 0; i < idx.length; i++) out[i] = data[(int) (idx[i] < 0 ? idx[i] + data.length : idx[i])];
                yield out;
            }
            case "Unsqueeze", "Squeeze", "Cast" -> data;
            case "Concat" -> {
                long[] out = data;
                for (int k = 1; k < in.size(); k++) {
                    long[] more = ints.apply(in.get(k));
                    if (more == null) throw new IllegalArgumentException(where + " joins shape and image values");
                    long[] joined = Arrays.copyOf(out, out.length + more.length);
                    System.arraycopy(more, 0, joined, out.length, more.length);
                    out = joined;
                }
                yield out;
            }
            case "Slice" -> {
                SliceBounds b = SliceBounds.of(n, ints);
                if (b.starts() == null || b.ends() == null || b.steps() == null || b.steps()[0] != 1)
                    throw new IllegalArgumentException(where + " slices with computed or stepped bounds");
                int s = (int) clampAxis(b.starts()[0], data.length), e = (int) clampAxis(b.ends()[0], data.length);
                yield Arrays.copyOfRange(data, s, Math.max(s, e));
            }
            default -> throw new IllegalStateException(n.opType());
        };
    }

    /** Element-wise ops exporters also apply to shape values (ShuffleNet's channels / 2); null when not on integers. */
    static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div");

    /** Add/Sub/Mul/Div of two integer vectors (one may be a scalar), or null when an input is image data. */
    static long[] elementwise(OnnxModelInfo.Node n, Function<String, long[]> ints) {
        long[] a = ints.apply(n.inputs().get(0)), b = ints.apply(n.inputs().get(1));
        if (a == null || b == null) return null;
        int len = Math.max(a.length, b.length);
        if (a.length != len && a.length != 1 || b.length != len && b.length != 1)
            throw new IllegalArgumentException(n.opType() + " (output "
                    + n.outputs().get(0) + ") of shape vectors of " + a.length + " and " + b.length + " values");
        long[] out = new long[len];
        for (int i = 0; i < len; i++) {
            long x = a[a.length == 1 ? 0 : i], y = b[b.length == 1 ? 0 : i];
            out[i] = switch (n.opType()) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                default -> x / y; // ONNX integer Div truncates, as Java's
            };
        }
        return out;
    }

    /**
     * A Slice node's starts, ends, axes and steps: inputs 1–4 (opset ≥ 10; constant or computed here, null when
     * neither) or the attributes of older opsets; absent axes are null, absent steps 1.
     */
    record SliceBounds(long[] starts, long[] ends, long[] axes, long[] steps) {
        static SliceBounds of(OnnxModelInfo.Node n, Function<String, long[]> ints) {
            List<String> in = n.inputs();
            return new SliceBounds(
                    in.size() > 1 ? ints.apply(in.get(1)) : n.integers("starts", null),
                    in.size() > 2 ? ints.apply(in.get(2)) : n.integers("ends", null),
                    in.size() > 3 && !in.get(3).isEmpty() ? ints.apply(in.get(3)) : n.integers("axes", null),
                    in.size() > 4 && !in.get(4).isEmpty() ? ints.apply(in.get(4)) : new long[] {1});
        }
    }

    /** A position in [0, n] from an ONNX index (negative counts from the end; beyond the end = n). */
    static long clampAxis(long i, int n) {
        long v = i < 0 ? i + n : i;
        return Math.max(0, Math.min(n, v));
    }

    /** Shape vectors by name during one forward. */
    record Values(Map<String, long[]> computed, Map<String, long[]> constants) {
        long[] get(String name) {
            long[] v = computed.get(name);
            return v != null ? v : constants.get(name);
        }
    }
}
