package org.cnnj.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link GraphNetwork} honours of each ONNX node's attributes. Every attribute is either honoured or
 * refused by name, so a graph never runs with a setting silently ignored (an ignored {@code dilations}
 * or {@code count_include_pad} would give a wrong result with no error). Networks are 2-D: kernels of any
 * other rank are refused with what to do instead.
 */
final class NodeAttributes {
    /** Attributes each op may carry; their values are checked below where only some are honoured. */
    private static final Map<String, Set<String>> KNOWN = Map.ofEntries(
            Map.entry("Conv", Set.of("kernel_shape", "strides", "dilations", "pads", "group", "auto_pad")),
            Map.entry(
                    "ConvTranspose",
                    Set.of(
                            "kernel_shape",
                            "strides",
                            "dilations",
                            "pads",
                            "group",
                            "output_padding",
                            "auto_pad",
                            "output_shape")),
            Map.entry("BatchNormalization", Set.of("epsilon", "momentum", "training_mode", "spatial")),
            Map.entry("Relu", Set.of()),
            Map.entry("LeakyRelu", Set.of("alpha")),
            Map.entry("Sigmoid", Set.of()),
            Map.entry("Tanh", Set.of()),
            Map.entry(
                    "MaxPool",
                    Set.of("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations", "storage_order")),
            Map.entry(
                    "AveragePool",
                    Set.of("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad")),
            Map.entry("Concat", Set.of("axis")),
            Map.entry("Add", Set.of()),
            Map.entry("Identity", Set.of()),
            Map.entry("Dropout", Set.of("ratio", "seed")),
            Map.entry("Clip", Set.of("min", "max")),
            Map.entry("GlobalAveragePool", Set.of()),
            Map.entry("Flatten", Set.of("axis")),
            Map.entry("ReduceMean", Set.of("axes", "keepdims", "noop_with_empty_axes")),
            Map.entry("HardSigmoid", Set.of("alpha", "beta")),
            Map.entry("HardSwish", Set.of()),
            Map.entry("Transpose", Set.of("perm")),
            Map.entry("Reshape", Set.of("allowzero")),
            Map.entry("Gemm", Set.of("alpha", "beta", "transA", "transB")),
            Map.entry("MatMul", Set.of()),
            Map.entry("Softmax", Set.of("axis")),
            Map.entry("Mul", Set.of()),
            Map.entry("Sub", Set.of()),
            Map.entry("Shape", Set.of("start", "end")),
            Map.entry("Gather", Set.of("axis")),
            Map.entry("Unsqueeze", Set.of("axes")),
            Map.entry("Squeeze", Set.of("axes")),
            Map.entry("Slice", Set.of("starts", "ends", "axes")),
            Map.entry("Cast", Set.of("to", "saturate")),
            Map.entry("Div", Set.of()),
            Map.entry("Constant", Set.of("value")),
            Map.entry("Pad", Set.of("mode", "pads", "value")),
            Map.entry(
                    "Resize",
                    Set.of(
                            "mode",
                            "coordinate_transformation_mode",
                            "nearest_mode",
                            "cubic_coeff_a",
                            "exclude_outside",
                            "extrapolation_value",
                            "antialias",
                            "axes",
                            "keep_aspect_ratio_policy")),
            Map.entry("Upsample", Set.of("mode", "scales")));

    private NodeAttributes() {}

    /** Every reason this graph's nodes cannot run as written (empty when all can). */
    static List<String> problems(List<OnnxModelInfo.Node> nodes) {
        List<String> out = new ArrayList<>();
        for (OnnxModelInfo.Node n : nodes) {
            Set<String> known = KNOWN.get(n.opType());
            if (known == null) continue; // unsupported ops are named by GraphNetwork itself
            for (String a : n.attributes().keySet()) {
                if (!known.contains(a)) out.add(where(n) + " has attribute " + a + ", which CNN-J does not support");
            }
            values(n, out);
        }
        return out;
    }

    private static void values(OnnxModelInfo.Node n, List<String> out) {
        long[] kernel = n.integers("kernel_shape", null);
        boolean volume = kernel != null
                && kernel.length == 3
                && Set.of("Conv", "ConvTranspose", "MaxPool", "AveragePool").contains(n.opType());
        if (kernel != null && kernel.length != 2 && !volume) {
            out.add(where(n) + " is " + kernel.length + "-D (kernel " + Arrays.toString(kernel)
                    + "); CNN-J's Java engine rebuilds 2-D networks and 3-D Conv, ConvTranspose, MaxPool and AveragePool:"
                    + " apply this model with ONNX Runtime (engine ort) instead");
        }
        switch (n.opType()) {
            case "MaxPool" -> {
                if (!allOnes(n.integers("dilations", null)))
                    out.add(where(n) + " has dilations " + Arrays.toString(n.integers("dilations", null))
                            + "; only 1 is supported");
                if (n.integer("storage_order", 0) != 0)
                    out.add(where(n) + " has storage_order=1 (column-major indices); only 0 is supported");
            }
            case "BatchNormalization" -> {
                if (n.integer("training_mode", 0) != 0)
                    out.add(where(n) + " has training_mode=1; export the model in eval mode (model.eval())");
                if (n.integer("spatial", 1) != 1)
                    out.add(where(n) + " has spatial=0 (per-pixel statistics); only per-channel is supported");
            }
            case "Resize" -> {
                if (n.attributes().containsKey("axes"))
                    out.add(where(n) + " resizes only some axes (axes attribute); not supported");
                Object policy = n.attributes().get("keep_aspect_ratio_policy");
                if (policy != null && !"stretch".equals(policy))
                    out.add(where(n) + " has keep_aspect_ratio_policy=" + policy + "; only stretch is supported");
            }
            case "Gemm" -> {
                if (n.number("alpha", 1f) != 1f || n.number("beta", 1f) != 1f || n.integer("transA", 0) != 0)
                    out.add(where(n) + " has alpha/beta other than 1 or transA=1; only y = x·Wᵀ + b (a fully connected"
                            + " layer) is supported");
            }

            case "Softmax" -> {
                long axis = n.integer("axis", -1);
                if (axis == 0) out.add(where(n) + " is over axis 0 (the batch); only the class axis (1) is supported");
            }
            default -> {}
        }
    }

    private static boolean allOnes(long[] v) {
        return v == null || Arrays.stream(v).allMatch(x -> x == 1);
    }

    /** "Op (output name)", how every message names a node. */
    static String where(OnnxModelInfo.Node n) {
        return n.opType() + " "
                + (n.outputs().isEmpty() ? "" : "(output " + n.outputs().get(0) + ")");
    }
}
