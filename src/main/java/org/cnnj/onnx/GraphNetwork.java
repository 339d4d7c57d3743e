package org.cnnj.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnnj.nn.Module;
import org.cnnj.ops.Add;
import org.cnnj.ops.Addmm;
import org.cnnj.ops.AvgPool2d;
import org.cnnj.ops.AvgPool3d;
import org.cnnj.ops.BatchNormalization;
import org.cnnj.ops.Broadcast;
import org.cnnj.ops.Clamp;
import org.cnnj.ops.Concat;
import org.cnnj.ops.Conv3dParams;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Convolution;
import org.cnnj.ops.Convolution3d;
import org.cnnj.ops.GlobalAvgPool;
import org.cnnj.ops.LeakyRelu;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.MaxPool3d;
import org.cnnj.ops.Multiply;
import org.cnnj.ops.Narrow;
import org.cnnj.ops.Pad2d;
import org.cnnj.ops.Permute;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Relu6;
import org.cnnj.ops.Reshape;
import org.cnnj.ops.Sigmoid;
import org.cnnj.ops.Softmax;
import org.cnnj.ops.Tanh;
import org.cnnj.ops.TransposedConvolution;
import org.cnnj.ops.TransposedConvolution3d;
import org.cnnj.ops.Trilinear3d;
import org.cnnj.ops.Upsample;
import org.cnnj.ops.Upsample3d;
import org.cnnj.tensor.Tensor;

/**
 * A trainable network rebuilt from an ONNX graph made elsewhere (e.g. a U-Net exported from PyTorch),
 * so it can be fine-tuned in Java: its float initializers become parameters (batch-norm statistics
 * become buffers) under their ONNX names, and forward runs the graph's nodes in order with CNN-J ops,
 * which also lets the result be exported again. Supported ops: Conv, ConvTranspose, BatchNormalization,
 * Relu, LeakyRelu, Sigmoid, Tanh, Clip (as ReLU6 or ReLU), MaxPool, AveragePool, GlobalAveragePool, Concat
 * (channels), Add, Mul (same shape, or per channel as squeeze-excitation exports it), Flatten (axis 1), Reshape to
 * [N, -1], Gemm and MatMul with a constant weight (fully connected layers), Softmax over the class axis, Constant,
 * Identity, Dropout (inference), and the shape arithmetic exporters add ({@link ShapeArithmetic}). A classifier head
 * exported by PyTorch (GlobalAveragePool → Flatten → Gemm)
 * therefore rebuilds, and so do torchvision's ResNet, MobileNet v2 and DenseNet. Shapes: input [N, C, H, W] → the
 * graph's outputs ({@link #forwardAll}; {@link #forward} gives the first).
 */
public final class GraphNetwork extends Module {
    static final List<String> SUPPORTED = List.of(
            "Conv",
            "ConvTranspose",
            "BatchNormalization",
            "Relu",
            "LeakyRelu",
            "Sigmoid",
            "Tanh",
            "MaxPool",
            "AveragePool",
            "Concat",
            "Add",
            "Identity",
            "Dropout",
            "Clip",
            "GlobalAveragePool",
            "Flatten",
            "Reshape",
            "Gemm",
            "MatMul",
            "Softmax",
            "Mul",
            "Constant",
            "Pad",
            "Resize",
            "Upsample",
            "Sub",
            "Div",
            "Shape",
            "Gather",
            "Unsqueeze",
            "Squeeze",
            "Slice",
            "Cast",
            "ReduceMean",
            "HardSigmoid",
            "HardSwish",
            "Transpose");

    private final List<OnnxModelInfo.Node> nodes;
    private final String input;
    private final List<String> outputs;
    private final long opset;
    /** Values of Constant nodes and int64 initializers (Clip bounds, Reshape shapes): not parameters. */
    private final Map<String, float[]> constants = new HashMap<>();

    private final Map<String, long[]> integerConstants = new HashMap<>();
    private final Map<String, long[]> constantShapes = new HashMap<>();
    /** The file's float initializers while the graph is checked (Clip bounds may be among them). */
    private Map<String, float[]> loadingWeights = Map.of();

    private final Map<String, Tensor> tensors = new HashMap<>();
    private final Map<String, float[]> statistics = new HashMap<>();
    private final Map<OnnxModelInfo.Node, Float> bnMomentum = new HashMap<>();
    /** Parameter names used before the first upsampling (transposed convolution): the encoder, for frozen-encoder fine-tuning. */
    private final List<String> encoder = new ArrayList<>();

    private GraphNetwork(OnnxModelInfo info, Path file) {
        if (info.inputs().size() != 1 || info.outputs().isEmpty()) {
            throw new IllegalArgumentException(file.getFileName() + " must take one image input; it has "
                    + info.inputs().size() + " inputs");
        }
        this.nodes = info.nodes();
        this.input = info.inputs().get(0).name();
        this.outputs = info.outputs().stream().map(OnnxModelInfo.Value::name).toList();
        this.opset = info.opset();
        integerConstants.putAll(info.integerWeights());
        for (OnnxModelInfo.Node n : info.nodes()) {
            if (!n.opType().equals("Constant")) continue;
            if (n.attributes().get("value") instanceof OnnxModelInfo.TensorValue v) {
                if (v.floats() != null) {
                    constants.put(n.outputs().get(0), v.floats());
                    constantShapes.put(n.outputs().get(0), v.dims());
                }
                if (v.integers() != null) integerConstants.put(n.outputs().get(0), v.integers());
            }
        }
        List<String> unsupported = nodes.stream()
                .map(OnnxModelInfo.Node::opType)
                .filter(op -> !SUPPORTED.contains(op))
                .distinct()
                .toList();
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException(file.getFileName() + " uses " + unsupported
                    + ", which CNN-J cannot train in Java (it can: " + SUPPORTED
                    + "); apply it with ONNX Runtime (Segment), or fine-tune a CNN-J model instead");
        }
        loadingWeights = info.weights();
        checkOrder(file, info);
        for (String out : outputs) {
            boolean computed = out.equals(input)
                    || nodes.stream()
                            .anyMatch(n ->
                                    !n.outputs().isEmpty() && n.outputs().get(0).equals(out));
            if (!computed) {
                String by = nodes.stream()
                        .filter(n -> n.outputs().contains(out))
                        .map(n -> n.opType() + "'s output " + n.outputs().indexOf(out))
                        .findFirst()
                        .orElse("no node");
                throw new IllegalArgumentException(file.getFileName() + " has the graph output " + out
                        + ", computed by " + by + "; CNN-J computes each node's first output only (export without it)");
            }
        }
        List<String> problems = new ArrayList<>(NodeAttributes.problems(nodes));
        problems.addAll(constantProblems(nodes, info));
        if (problems.size() > 4) { // the same problem at every layer would bury the others
            int more = problems.size() - 3;
            problems = new ArrayList<>(problems.subList(0, 3));
            problems.add("and " + more + " more");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    file.getFileName() + " cannot be rebuilt in Java as written: " + String.join("; ", problems));
        }
        boolean upsampled = false;
        for (OnnxModelInfo.Node n : nodes) {
            upsampled |= n.opType().equals("ConvTranspose");
            for (int i = 0; i < n.inputs().size(); i++) {
                String name = n.inputs().get(i);
                float[] w = info.weights().get(name);
                if (w == null || tensors.containsKey(name) || statistics.containsKey(name)) continue;
                boolean runningStatistic = n.opType().equals("BatchNormalization") && i >= 3;
                long[] dims = info.weightShapes().get(name);
                boolean setting = i > 0 && List.of("Clip", "Resize", "Upsample").contains(n.opType());
                if (setting || dims == null || dims.length == 0) {
                    constants.put(name, w); // Clip's bounds, scalars (a Dropout ratio, a Pad value): not weights
                    constantShapes.put(name, dims);
                } else if (runningStatistic) {
                    statistics.put(name, buffer(name, w.clone()));
                } else {
                    long[] d = info.weightShapes().get(name);
                    int[] shape = new int[d.length];
                    for (int k = 0; k < d.length; k++) shape[k] = (int) d[k];
                    Tensor t = Tensor.of(w.clone(), shape);
                    // A fully connected weight stored [in, out] (MatMul, Gemm transB=0) is kept as Addmm's [out, in].
                    boolean inOut = i == 1
                            && (n.opType().equals("MatMul")
                                    || (n.opType().equals("Gemm") && n.integer("transB", 0) == 0));
                    tensors.put(name, param(name, inOut ? transposed(t) : t));
                    if (!upsampled) encoder.add(name);
                }
            }
        }
    }

    /**
     * Refuses a graph whose nodes use a value before a node makes it: a cycle, or nodes out of the topological order
     * ONNX requires (the Java engine runs the nodes as written; ONNX Runtime names such graphs too).
     */
    private static void checkOrder(Path file, OnnxModelInfo info) {
        Set<String> known = new HashSet<>(info.weights().keySet());
        known.addAll(info.integerWeights().keySet());
        info.inputs().forEach(v -> known.add(v.name()));
        known.add("");
        for (OnnxModelInfo.Node n : info.nodes()) {
            for (String in : n.inputs()) {
                if (!known.contains(in)) {
                    throw new IllegalArgumentException(file.getFileName() + ": node " + n.opType() + " uses " + in
                            + " before any node makes it: the graph has a cycle or its nodes are not in the order ONNX"
                            + " requires; re-export the model");
                }
            }
            known.addAll(n.outputs());
        }
    }

    /** Checks that need the graph's constants: Clip bounds, Reshape targets, MatMul/Gemm weights. */
    private List<String> constantProblems(List<OnnxModelInfo.Node> nodes, OnnxModelInfo info) {
        List<String> out = new ArrayList<>();
        for (OnnxModelInfo.Node n : nodes) {
            String where = NodeAttributes.where(n);
            switch (n.opType()) {
                case "Clip" -> {
                    try {
                        float[] bounds = clipBounds(n);
                        if (!(bounds[0] <= bounds[1]))
                            out.add(where + " clips to [" + bounds[0] + ", " + bounds[1] + "], an empty range");
                    } catch (IllegalArgumentException e) {
                        out.add(e.getMessage());
                    }
                }
                case "Reshape" -> {
                    String shape = n.inputs().get(1);
                    boolean computed = nodes.stream()
                            .anyMatch(m -> ShapeArithmetic.OPS.contains(m.opType())
                                    && m.outputs().contains(shape));
                    if (!integerConstants.containsKey(shape) && !computed)
                        out.add(where + " reshapes to a shape computed in the graph; CNN-J needs a constant shape"
                                + " (export with torch.flatten(x, 1) or constant shapes)");
                    if (n.integer("allowzero", 0) != 0) out.add(where + " has allowzero=1; only 0 is supported");
                }
                case "Dropout" -> {
                    if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty())
                        out.add(where + " has a training_mode input; CNN-J runs Dropout as at inference: export the"
                                + " model in eval mode (model.eval())");
                }
                case "Gemm", "MatMul" -> {
                    if (n.inputs().size() < 2
                            || !info.weights().containsKey(n.inputs().get(1)))
                        out.add(where + " multiplies two computed tensors; CNN-J rebuilds only fully connected layers"
                                + " (a constant weight)");
                    if (n.opType().equals("Gemm")
                            && n.inputs().size() > 2
                            && !n.inputs().get(2).isEmpty()) {
                        long[] c = info.weightShapes().get(n.inputs().get(2));
                        if (c == null || c.length != 1)
                            out.add(where + " adds a bias C of shape "
                                    + (c == null ? "computed in the graph" : Arrays.toString(c))
                                    + "; only a vector of one value per output is supported");
                    }
                }
                case "Pad" -> {
                    long[] p = n.inputs().size() > 1
                            ? integerConstants.get(n.inputs().get(1))
                            : n.integers("pads", null);
                    String mode = n.attributes().get("mode") instanceof String m ? m : "constant";
                    if (p == null || p.length != 8)
                        out.add(where + " pads by amounts computed in the graph, or not a 4-D tensor; CNN-J needs"
                                + " constant pads of [N, C, H, W]");
                    else if (p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0)
                        out.add(where + " pads the batch or channel axis; only height and width are supported");
                    else if (Arrays.stream(p).anyMatch(v -> v < 0))
                        out.add(where + " crops (negative pads); not supported");
                    if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge"))
                        out.add(where + " has mode " + mode + "; constant, reflect and edge are supported");
                    if (n.inputs().size() > 3 && !n.inputs().get(3).isEmpty())
                        out.add(where + " pads only some axes (the axes input); not supported");
                }
                case "Constant" -> {
                    if (!(n.attributes().get("value") instanceof OnnxModelInfo.TensorValue))
                        out.add(where + " has no tensor value (sparse or list constants are not supported)");
                }
                default -> {}
            }
        }
        return out;
    }

    public static GraphNetwork load(Path model) throws IOException {
        return new GraphNetwork(OnnxModelInfo.read(model), model);
    }

    /** A graph already read (tests feed ONNX's node tests through here with their extra inputs made constants). */
    static GraphNetwork of(OnnxModelInfo info, Path file) {
        return new GraphNetwork(info, file);
    }

    public List<String> encoderParameters() {
        return List.copyOf(encoder);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forwardAll(x).get(0);
    }

    /** Every graph output, in the graph's order (e.g. an RPN head's objectness and box deltas). */
    public List<Tensor> forwardAll(Tensor x) {
        Map<String, Tensor> values = new LinkedHashMap<>(tensors);
        values.put(input, x);
        ShapeArithmetic.Values ints = new ShapeArithmetic.Values(new HashMap<>(), integerConstants);
        for (OnnxModelInfo.Node n : nodes) {
            if (n.opType().equals("Constant")) continue; // read at load
            if (ShapeArithmetic.ELEMENTWISE.contains(n.opType())) {
                long[] v = ShapeArithmetic.elementwise(n, ints::get);
                if (v != null) {
                    ints.computed().put(n.outputs().get(0), v);
                    continue;
                }
            }
            if (ShapeArithmetic.OPS.contains(n.opType())) {
                long[] v = ShapeArithmetic.evaluate(n, ints::get, values::get);
                if (v != null) {
                    ints.computed().put(n.outputs().get(0), v);
                    continue;
                }
            }
            List<Tensor> in = new ArrayList<>();
            for (String name : n.inputs()) in.add(name.isEmpty() ? null : values.getOrDefault(name, constant(name)));
            values.put(n.outputs().get(0), run(n, in, ints));
        }
        List<Tensor> out = new ArrayList<>();
        for (String name : outputs) {
            Tensor y = values.get(name);
            if (y == null && ints.computed().containsKey(name))
                throw new IllegalArgumentException("the graph output " + name + " is a shape, not an image; CNN-J"
                        + " rebuilds networks whose outputs are images");
            if (y == null) throw new IllegalStateException("the graph never computes its output " + name);
            out.add(y);
        }
        return out;
    }

    /**
     * A Cast of image values between float and float16, as converters to half precision put around a graph's input
     * and output. To float16 rounds each value to the nearest half (kept as a float), to float leaves it; the ops in
     * between compute in float32 (so results differ from ONNX Runtime's half-precision arithmetic by its rounding).
     * The gradient passes through unchanged. Casts to other types are not image arithmetic.
     */
    private static Tensor castOfImage(OnnxModelInfo.Node n, Tensor x) {
        long to = n.integer("to", 0);
        if (to == OnnxProto.FLOAT) return x;
        if (to != Float16Weights.FLOAT16)
            throw new IllegalArgumentException("Cast (output " + n.outputs().get(0) + ") turns image values into type "
                    + to + "; CNN-J computes images in float (Cast to float or float16 only)");
        float[] xs = x.data(), y = new float[xs.length];
        for (int i = 0; i < y.length; i++) y[i] = Float16.toFloat(Float16.fromFloat(xs[i]));
        return Tensor.result(
                "cast_float16",
                y,
                x.shape(),
                out -> {
                    float[] gx = x.grad(), gy = out.grad();
                    for (int i = 0; i < gy.length; i++) gx[i] += gy[i];
                },
                x);
    }

    /**
     * ONNX Resize/Upsample of H and W to the size its scales or sizes give: nearest (floor, ceil, round_prefer_floor or
     * round_prefer_ceil) or linear, with half_pixel, pytorch_half_pixel, align_corners or asymmetric coordinates
     * (what PyTorch exports; old Upsample: asymmetric). Cubic, tf_* coordinates, a roi and antialias are refused by
     * name.
     */
    private Tensor resize(OnnxModelInfo.Node n, Tensor x, ShapeArithmetic.Values ints) {
        String where = NodeAttributes.where(n);
        float[] scales = null;
        long[] sizes = null;
        List<String> in = n.inputs();
        if (n.opType().equals("Upsample")) scales = in.size() > 1 ? constants.get(in.get(1)) : n.floats("scales");
        else {
            if (in.size() > 2 && !in.get(2).isEmpty()) scales = constants.get(in.get(2));
            if (in.size() > 3 && !in.get(3).isEmpty()) sizes = ints.get(in.get(3));
            if (in.size() > 1
                    && !in.get(1).isEmpty()
                    && constants.get(in.get(1)) != null
                    && constants.get(in.get(1)).length > 0)
                throw new IllegalArgumentException(where + " crops a region (roi); CNN-J resizes whole images only");
        }
        if ((scales == null || scales.length == 0) && sizes == null)
            throw new IllegalArgumentException(where + " takes its scale from the graph; CNN-J needs constant scales");
        if (x.rank() != 4)
            throw new IllegalArgumentException(
                    where + " resizes a " + x.rank() + "-D tensor; CNN-J resizes [N, C, H, W]");
        int oh, ow;
        float sh, sw;
        if (sizes != null && sizes.length == 4 && sizes[0] == x.dim(0) && sizes[1] == x.dim(1)) {
            oh = (int) sizes[2];
            ow = (int) sizes[3];
            sh = (float) oh / x.dim(2); // ONNX: the scale is output / input when sizes are given
            sw = (float) ow / x.dim(3);
        } else if (scales != null && scales.length == 4) {
            if (scales[0] != 1f || scales[1] != 1f)
                throw new IllegalArgumentException(where + " scales the batch or channel axis");
            sh = scales[2];
            sw = scales[3];
            oh = (int) Math.floor(x.dim(2) * (double) sh);
            ow = (int) Math.floor(x.dim(3) * (double) sw);
        } else {
            throw new IllegalArgumentException(where + " has scales/sizes CNN-J cannot read (4 values, N and C kept)");
        }
        String mode = n.attributes().get("mode") instanceof String m ? m : "nearest";
        boolean old = n.opType().equals("Upsample"); // opset < 10: asymmetric coordinates, nearest by floor
        String coords = n.attributes().get("coordinate_transformation_mode") instanceof String c
                ? c
                : old ? "asymmetric" : "half_pixel";
        String nearest =
                n.attributes().get("nearest_mode") instanceof String r ? r : old ? "floor" : "round_prefer_floor";
        Upsample.Mode m = switch (mode) {
            case "nearest" -> Upsample.Mode.NEAREST;
            case "linear", "bilinear" -> Upsample.Mode.BILINEAR;
            default ->
                throw new IllegalArgumentException(
                        where + " is " + mode + "; CNN-J resizes nearest or linear (PyTorch's nearest, bilinear)");
        };
        Upsample.Coordinates c;
        Upsample.Rounding rounding;
        try {
            c = Upsample.Coordinates.valueOf(coords.toUpperCase(Locale.ROOT));
            rounding = Upsample.Rounding.valueOf(nearest.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " has coordinate_transformation_mode=" + coords
                    + (m == Upsample.Mode.NEAREST ? " and nearest_mode=" + nearest : "")
                    + "; CNN-J honours half_pixel, pytorch_half_pixel, align_corners and asymmetric coordinates"
                    + " (the modes PyTorch exports) and floor, ceil, round_prefer_floor and round_prefer_ceil");
        }
        if (n.integer("antialias", 0) != 0)
            throw new IllegalArgumentException(where + " has antialias=1; only plain interpolation is supported");
        return Upsample.interpolate(x, oh, ow, sh, sw, new Upsample.Sampling(m, c, rounding));
    }

    /** ONNX Pad of H and W (N and C pads zero: checked at load), constant / reflect / edge. */
    private Tensor pad(OnnxModelInfo.Node n, Tensor x) {
        long[] p = n.inputs().size() > 1 ? integerConstants.get(n.inputs().get(1)) : n.integers("pads", new long[8]);
        float value = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()
                ? scalar(n.inputs().get(2), n)
                : 0f;
        if (Arrays.stream(p).allMatch(v -> v == 0)) return x; // PyTorch exports a no-op Pad before some poolings
        Pad2d.Mode mode = Pad2d.Mode.valueOf(
                (n.attributes().get("mode") instanceof String m ? m : "constant").toUpperCase(Locale.ROOT));
        return Pad2d.apply(x, (int) p[2], (int) p[6], (int) p[3], (int) p[7], mode, value);
    }

    /**
     * CNN-J's softmax is over axis 1 at each position. ONNX's (opset ≥ 13) is over one axis, which must then be 1;
     * before opset 13 it is over all axes from {@code axis} on (flattened), the same only when nothing follows axis 1.
     */
    private void softmaxAxisCheck(OnnxModelInfo.Node n, Tensor x) {
        boolean modern = opset >= 13;
        long axis = n.integer("axis", modern ? -1 : 1), a = axis < 0 ? axis + x.rank() : axis;
        int trailing = 1;
        for (int i = 2; i < x.rank(); i++) trailing *= x.dim(i);
        if (a != 1 || (!modern && trailing != 1)) {
            throw new IllegalArgumentException("Softmax (output " + n.outputs().get(0) + ", axis " + axis + ", opset "
                    + opset + ") of a " + x.rank() + "-D tensor; CNN-J computes softmax over the class axis 1 only");
        }
    }

    /** s [N, C, 1, 1] scaling the channels of x [N, C, H, W] (squeeze-excitation), which Multiply does directly. */
    private static boolean perChannel(Tensor x, Tensor s) {
        return x.rank() == 4
                && s.rank() == 4
                && s.dim(0) == x.dim(0)
                && s.dim(1) == x.dim(1)
                && s.dim(2) == 1
                && s.dim(3) == 1;
    }

    /** ONNX Flatten: [d0 … d(a−1)] × [da …] → 2-D (a negative axis counts from the end). */
    private static Tensor flatten(Tensor x, long axis) {
        int a = (int) (axis < 0 ? axis + x.rank() : axis);
        if (a < 0 || a > x.rank())
            throw new IllegalArgumentException("Flatten axis " + axis + " is outside a " + x.rank() + "-D tensor");
        if (a == 1) return Reshape.flatten(x);
        int outer = 1;
        for (int i = 0; i < a; i++) outer *= x.dim(i);
        return Reshape.apply(x, outer, x.size() / Math.max(1, outer));
    }

    /** ONNX Reshape with a constant shape: 0 copies that dimension of the input, −1 is inferred. */
    private static Tensor reshape(Tensor x, long[] shape) {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i] == 0 ? x.dim(i) : (int) shape[i];
        // Keeping the batch axis, it is exported as "copy" (0), so a fine-tuned model runs at any batch size again.
        return s.length > 0 && s[0] == x.dim(0) ? Reshape.keepingBatch(x, s) : Reshape.apply(x, s);
    }

    /** A float constant (a Constant node's value, a scalar initializer) as a tensor operand, or null. */
    private Tensor constant(String name) {
        float[] v = constants.get(name);
        if (v == null) return null;
        long[] d = constantShapes.get(name);
        int[] shape = d == null || d.length == 0
                ? new int[] {1}
                : Arrays.stream(d).mapToInt(x -> (int) x).toArray();
        return Tensor.of(v, shape);
    }

    private static Tensor transposed(Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("a MatMul/Gemm weight must be 2-D, got " + w.describe());
        int rows = w.dim(0), cols = w.dim(1);
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = w.data()[r * cols + c];
        return Tensor.of(t, cols, rows);
    }

    /** Clip's bounds (inputs 1 and 2, or the attributes of opset < 11); absent = unbounded. */
    private float[] clipBounds(OnnxModelInfo.Node n) {
        float lo = n.number("min", Float.NEGATIVE_INFINITY), hi = n.number("max", Float.POSITIVE_INFINITY);
        if (n.inputs().size() > 1 && !n.inputs().get(1).isEmpty())
            lo = scalar(n.inputs().get(1), n);
        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty())
            hi = scalar(n.inputs().get(2), n);
        return new float[] {lo, hi};
    }

    private float scalar(String name, OnnxModelInfo.Node n) {
        float[] v = constants.containsKey(name) ? constants.get(name) : loadingWeights.get(name);
        if (v == null || v.length != 1) {
            throw new IllegalArgumentException(
                    NodeAttributes.where(n) + " takes a bound computed in the graph; CNN-J needs constant bounds");
        }
        return v[0];
    }

    private Tensor run(OnnxModelInfo.Node n, List<Tensor> in, ShapeArithmetic.Values ints) {
        Tensor x = in.get(0);
        if (x == null)
            throw new IllegalArgumentException(
                    NodeAttributes.where(n) + " reads " + n.inputs().get(0) + ", which the graph computes"
                            + " in a way CNN-J does not follow (integer arithmetic on shapes beyond Shape/Gather/Unsqueeze/"
                            + "Squeeze/Slice/Concat/Cast); apply this model with ONNX Runtime (engine ort)");
        if (x.rank() == 5) {
            Tensor volume = volume(n, x, in);
            if (volume != null) return volume;
        }
        return switch (n.opType()) {
            case "Conv" -> {
                long[] k = {in.get(1).dim(2), in.get(1).dim(3)};
                long[] pads = windowPads(n, x, k);
                Tensor padded = prePad(x, pads, 0f);
                yield Convolution.apply(
                        padded,
                        in.get(1),
                        in.size() > 2 ? in.get(2) : null,
                        convParams(n, false, padded == x ? pads : null));
            }
            case "ConvTranspose" -> convTranspose(n, x, in.get(1), in.size() > 2 ? in.get(2) : null);
            case "BatchNormalization" ->
                BatchNormalization.apply(
                        x,
                        in.get(1),
                        in.get(2),
                        statistics.get(n.inputs().get(3)),
                        statistics.get(n.inputs().get(4)),
                        isTraining(),
                        1f - n.number("momentum", 0.9f),
                        n.number("epsilon", 1e-5f));
            case "Relu" -> Relu.apply(x);
            case "LeakyRelu" -> LeakyRelu.apply(x, n.number("alpha", 0.01f));
            case "Sigmoid" -> Sigmoid.apply(x);
            case "Tanh" -> Tanh.apply(x);
            case "MaxPool" -> {
                long[] k = n.integers("kernel_shape", null), pads = ceilPads(n, x, windowPads(n, x, k));
                // Pads beyond half the kernel (ONNX allows them, the op does not) go in front as well.
                boolean wide = 2 * pads[0] > k[0] || 2 * pads[1] > k[1];
                // −∞ is never the maximum of a window.
                Tensor padded =
                        wide ? padded(x, pads, Float.NEGATIVE_INFINITY) : prePad(x, pads, Float.NEGATIVE_INFINITY);
                yield MaxPool2d.apply(padded, poolParams(n, padded == x ? pads : null));
            }
            case "AveragePool" -> averagePool(n, x);
            case "Concat" -> {
                long axis = n.integer("axis", 1);
                if ((axis < 0 ? axis + x.rank() : axis) != 1)
                    throw new IllegalArgumentException(NodeAttributes.where(n) + " along axis " + axis + " of a "
                            + x.rank() + "-D tensor; only channels (axis 1) are supported");
                yield Concat.channels(in.toArray(Tensor[]::new));
            }
            case "Add" ->
                Arrays.equals(x.shape(), in.get(1).shape())
                        ? Add.apply(x, in.get(1))
                        : Broadcast.apply(x, in.get(1), Broadcast.Kind.ADD);
            case "Mul" ->
                Arrays.equals(x.shape(), in.get(1).shape()) || perChannel(x, in.get(1))
                        ? Multiply.apply(x, in.get(1))
                        : Broadcast.apply(x, in.get(1), Broadcast.Kind.MUL);
            case "Sub" -> Broadcast.apply(x, in.get(1), Broadcast.Kind.SUB);
            case "Div" -> Broadcast.apply(x, in.get(1), Broadcast.Kind.DIV);
            case "GlobalAveragePool" -> GlobalAvgPool.apply(x);
            case "ReduceMean" -> spatialMean(n, x, ints);
            case "HardSigmoid" -> hardSigmoid(x, n.number("alpha", 0.2f), n.number("beta", 0.5f));
            case "HardSwish" -> Multiply.apply(x, hardSigmoid(x, 1f / 6, 0.5f));
            case "Transpose" -> {
                long[] perm = n.integers("perm", null);
                int[] p = new int[x.rank()];
                for (int i = 0; i < p.length; i++) p[i] = perm == null ? p.length - 1 - i : (int) perm[i];
                yield Permute.apply(x, p);
            }
            case "Flatten" -> flatten(x, n.integer("axis", 1));
            case "Reshape" -> reshape(x, ints.get(n.inputs().get(1)));
            case "Gemm", "MatMul" -> Addmm.apply(x, in.get(1), in.size() > 2 ? in.get(2) : null);
            case "Pad" -> pad(n, x);
            case "Resize", "Upsample" -> resize(n, x, ints);
            case "Softmax" -> {
                softmaxAxisCheck(n, x);
                yield Softmax.apply(x);
            }
            case "Clip" -> {
                float[] b = clipBounds(n);
                yield b[0] == 0f && b[1] == 6f ? Relu6.apply(x) : Clamp.apply(x, b[0], b[1]);
            }
            case "Slice" -> slice(n, x, ints);
            case "Identity", "Dropout" -> x; // Dropout in its inference form
            case "Cast" -> castOfImage(n, x);
            // A shape op reaches here when its input is an image, not a shape vector: never pass it through.
            default ->
                throw new IllegalArgumentException(
                        NodeAttributes.where(n) + " takes a computed image tensor; CNN-J evaluates " + n.opType()
                                + " on shape vectors only (apply this model with ONNX Runtime, engine ort)");
        };
    }

    /**
     * ReduceMean over the two spatial axes (torch's x.mean((2, 3)), as MnasNet and ShuffleNet end): a global average
     * pool, flattened to [N, C] without keepdims. Other axes are refused by name.
     */
    private Tensor spatialMean(OnnxModelInfo.Node n, Tensor x, ShapeArithmetic.Values ints) {
        long[] axes = n.inputs().size() > 1 && !n.inputs().get(1).isEmpty()
                ? ints.get(n.inputs().get(1))
                : n.integers("axes", null);
        long[] normalized = axes == null
                ? null
                : Arrays.stream(axes)
                        .map(a -> a < 0 ? a + x.rank() : a)
                        .sorted()
                        .toArray();
        if (x.rank() != 4 || normalized == null || !Arrays.equals(normalized, new long[] {2, 3}))
            throw new IllegalArgumentException(NodeAttributes.where(n) + " averages axes "
                    + Arrays.toString(axes) + " of a " + x.rank() + "-D tensor; CNN-J averages the spatial axes"
                    + " (2, 3) of [N, C, H, W] only");
        Tensor mean = GlobalAvgPool.apply(x);
        return n.integer("keepdims", 1) != 0 ? mean : Reshape.flatten(mean);
    }

    /** ONNX HardSigmoid: max(0, min(1, alpha·x + beta)), from a scale, a shift and a clamp. */
    private static Tensor hardSigmoid(Tensor x, float alpha, float beta) {
        Tensor scaled = Broadcast.apply(x, Tensor.scalar(alpha), Broadcast.Kind.MUL);
        return Clamp.apply(Broadcast.apply(scaled, Tensor.scalar(beta), Broadcast.Kind.ADD), 0f, 1f);
    }

    /**
     * ONNX ConvTranspose with any pads, output_shape and auto_pad: the full transposed convolution (no padding) is
     * cropped by the pads at each side — a negative pad, which output_shape can imply, adds a row that no input
     * reaches — and the bias is added after, so such rows hold the bias as in ONNX Runtime. Symmetric pads without
     * output_shape go straight to the op.
     */
    /**
     * The window ops of a volume [N, C, D, H, W] (a 3-D network): Conv and ConvTranspose with pads equal at both ends,
     * MaxPool without padding, Resize by whole factors (nearest, asymmetric, floor, as PyTorch exports interpolate).
     * Others are refused by name; null: the op is not a window op (element-wise ops, Concat, BatchNormalization work on
     * any rank).
     */
    private Tensor volume(OnnxModelInfo.Node n, Tensor x, List<Tensor> in) {
        String where = NodeAttributes.where(n);
        switch (n.opType()) {
            case "Conv", "ConvTranspose" -> {
                Conv3dParams p = conv3dParams(n, where);
                Tensor bias = in.size() > 2 ? in.get(2) : null;
                if (n.opType().equals("Conv")) return Convolution3d.apply(x, in.get(1), bias, p);
                if (n.integers("output_shape", null) != null)
                    throw new IllegalArgumentException(
                            where + " gives output_shape for a volume; CNN-J takes pads and" + " output_padding");
                return TransposedConvolution3d.apply(
                        x, in.get(1), bias, p, ints3(n.integers("output_padding", new long[3]), where));
            }
            case "MaxPool" -> {
                if (n.integer("ceil_mode", 0) != 0
                        || nonZero(n.integers("pads", new long[6]))
                        || notOnes(n, "dilations"))
                    throw new IllegalArgumentException(where + " pools a volume with padding, ceil_mode or dilation;"
                            + " CNN-J pools volumes with plain windows (apply it with engine ort)");
                int[] k = ints3(n.integers("kernel_shape", null), where);
                return MaxPool3d.apply(x, k, ints3(n.integers("strides", new long[] {1, 1, 1}), where));
            }
            case "Resize", "Upsample" -> {
                String mode = n.attributes().get("mode") instanceof String m ? m : "nearest";
                float[] scales = n.opType().equals("Upsample")
                        ? (n.inputs().size() > 1 ? constants.get(n.inputs().get(1)) : n.floats("scales"))
                        : n.inputs().size() > 2 ? constants.get(n.inputs().get(2)) : null;
                int[] factor = new int[3];
                boolean whole = scales != null && scales.length == 5 && scales[0] == 1 && scales[1] == 1;
                for (int i = 0; whole && i < 3; i++) {
                    factor[i] = Math.round(scales[2 + i]);
                    whole = factor[i] >= 1 && factor[i] == scales[2 + i];
                }
                Object coordinates = n.attributes().get("coordinate_transformation_mode"),
                        rounding = n.attributes().get("nearest_mode");
                boolean halfPixel = "half_pixel".equals(coordinates) || "pytorch_half_pixel".equals(coordinates);
                if (whole && mode.equals("linear") && halfPixel) return Trilinear3d.apply(x, factor);
                if (!whole
                        || !mode.equals("nearest")
                        || (coordinates != null && !coordinates.equals("asymmetric"))
                        || (rounding != null && !rounding.equals("floor")))
                    throw new IllegalArgumentException(where + " resizes a volume other than by whole factors with"
                            + " nearest (asymmetric, floor) or linear (half_pixel) sampling; apply it with engine ort");
                return Upsample3d.apply(x, factor);
            }
            case "AveragePool" -> {
                if (n.integer("ceil_mode", 0) != 0
                        || nonZero(n.integers("pads", new long[6]))
                        || notOnes(n, "dilations")
                        || (n.attributes().get("auto_pad") instanceof String a
                                && !a.equals("NOTSET")
                                && !a.equals("VALID")))
                    throw new IllegalArgumentException(where + " averages a volume with padding, ceil_mode or dilation;"
                            + " CNN-J pools volumes with plain windows (apply it with engine ort)");
                int[] k = ints3(n.integers("kernel_shape", null), where);
                return AvgPool3d.apply(x, k, ints3(n.integers("strides", new long[] {1, 1, 1}), where));
            }
            case "GlobalAveragePool", "Pad", "Slice", "Softmax", "ReduceMean" ->
                throw new IllegalArgumentException(
                        where + " on a volume is not rebuilt in Java yet; apply this 3-D model with engine ort");
            default -> {
                return null;
            }
        }
    }

    private static Conv3dParams conv3dParams(OnnxModelInfo.Node n, String where) {
        String auto = n.attributes().get("auto_pad") instanceof String a ? a : "NOTSET";
        long[] p = n.integers("pads", new long[6]);
        if (!auto.equals("NOTSET") && !auto.equals("VALID")
                || p.length != 6
                || p[0] != p[3]
                || p[1] != p[4]
                || p[2] != p[5])
            throw new IllegalArgumentException(where + " pads a volume unevenly (or by auto_pad); CNN-J rebuilds 3-D"
                    + " convolutions with equal pads at both ends (apply it with engine ort)");
        int[] pads = auto.equals("VALID") ? new int[3] : ints3(new long[] {p[0], p[1], p[2]}, where);
        return new Conv3dParams(
                ints3(n.integers("strides", new long[] {1, 1, 1}), where),
                pads,
                ints3(n.integers("dilations", new long[] {1, 1, 1}), where),
                (int) n.integer("group", 1));
    }

    private static int[] ints3(long[] v, String where) {
        if (v == null || v.length != 3)
            throw new IllegalArgumentException(where + " needs three values per attribute for a volume");
        return new int[] {(int) v[0], (int) v[1], (int) v[2]};
    }

    private static boolean nonZero(long[] v) {
        for (long x : v) if (x != 0) return true;
        return false;
    }

    private static boolean notOnes(OnnxModelInfo.Node n, String attribute) {
        long[] v = n.integers(attribute, null);
        if (v == null) return false;
        for (long x : v) if (x != 1) return true;
        return false;
    }

    private static Tensor convTranspose(OnnxModelInfo.Node n, Tensor x, Tensor w, Tensor bias) {
        String auto = n.attributes().get("auto_pad") instanceof String a ? a : "NOTSET";
        long[] shape = n.integers("output_shape", null), p = n.integers("pads", new long[4]);
        if (shape == null && auto.equals("NOTSET") && p[0] == p[2] && p[1] == p[3])
            return TransposedConvolution.apply(x, w, bias, convParams(n, true, new long[] {p[0], p[1]}));
        long[] s = n.integers("strides", new long[] {1, 1}), d = n.integers("dilations", new long[] {1, 1});
        long[] op = n.integers("output_padding", new long[] {0, 0});
        long[] begin = new long[2], end = new long[2];
        for (int a = 0; a < 2; a++) {
            long in = x.dim(2 + a), full = s[a] * (in - 1) + op[a] + (w.dim(2 + a) - 1) * d[a] + 1;
            long wanted = shape != null ? shape[shape.length - 2 + a] : auto.startsWith("SAME") ? in * s[a] : -1;
            if (wanted < 0) { // explicit pads (VALID: none)
                begin[a] = auto.equals("VALID") ? 0 : p[a];
                end[a] = auto.equals("VALID") ? 0 : p[a + 2];
                continue;
            }
            long total = full - wanted; // may be negative: output_shape asks for more than the full output
            long half = Math.floorDiv(total, 2);
            begin[a] = auto.equals("SAME_UPPER") ? half : total - half;
            end[a] = total - begin[a];
        }
        Tensor y = TransposedConvolution.apply(x, w, null, convParams(n, true, new long[2]));
        y = padded(y, new long[] {-begin[0], -begin[1], -end[0], -end[1]}, 0f); // negative pads crop
        return bias == null ? y : Broadcast.apply(y, Reshape.apply(bias, 1, bias.size(), 1, 1), Broadcast.Kind.ADD);
    }

    /**
     * ONNX AveragePool with any pads, auto_pad, ceil_mode and count_include_pad: the input padded with zeros on all
     * sides is averaged over whole windows, then each output is rescaled from the k·k divisor to the number of
     * pixels its window counts (count_include_pad=0: pixels of the input; 1: of the padded input, never the cells
     * ceil_mode adds), a constant factor per output position, as PyTorch and ONNX Runtime divide.
     */
    private static Tensor averagePool(OnnxModelInfo.Node n, Tensor x) {
        long[] k = n.integers("kernel_shape", null), s = n.integers("strides", new long[] {1, 1});
        long[] declared = windowPads(n, x, k), pads = ceilPads(n, x, declared);
        boolean includePad = n.integer("count_include_pad", 0) != 0;
        Tensor mean = AvgPool2d.apply(
                padded(x, pads, 0f), new PoolParams((int) k[0], (int) k[1], (int) s[0], (int) s[1], 0, 0));
        int oh = mean.dim(2), ow = mean.dim(3);
        float[] rows =
                counted(oh, k[0], s[0], pads[0], x.dim(2), includePad ? declared[0] : 0, includePad ? declared[2] : 0);
        float[] cols =
                counted(ow, k[1], s[1], pads[1], x.dim(3), includePad ? declared[1] : 0, includePad ? declared[3] : 0);
        float[] factor = new float[oh * ow];
        boolean ones = true;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                factor[i * ow + j] = (float) (k[0] * k[1] / ((double) rows[i] * cols[j]));
                ones &= factor[i * ow + j] == 1f;
            }
        }
        return ones ? mean : Broadcast.apply(mean, Tensor.of(factor, 1, 1, oh, ow), Broadcast.Kind.MUL);
    }

    /**
     * Along one axis: how many of the window's k cells at each output fall in [−before, size + after) of the input,
     * the window of output i starting at i·stride − pad.
     */
    private static float[] counted(int outputs, long k, long stride, long pad, int size, long before, long after) {
        float[] c = new float[outputs];
        for (int i = 0; i < outputs; i++) {
            long start = i * stride - pad, end = start + k;
            c[i] = Math.max(1, Math.min(end, size + after) - Math.max(start, -before));
        }
        return c;
    }

    /**
     * Slice of an image tensor along the channel axis (torch.chunk / split, as ShuffleNet halves its channels), with
     * bounds constant or computed from shapes; step 1 only. Other axes are refused by name.
     */
    private static Tensor slice(OnnxModelInfo.Node n, Tensor x, ShapeArithmetic.Values ints) {
        ShapeArithmetic.SliceBounds b = ShapeArithmetic.SliceBounds.of(n, ints::get);
        long axis = b.axes() == null ? 0 : b.axes().length == 1 ? b.axes()[0] : -99;
        if (b.starts() == null
                || b.ends() == null
                || b.steps() == null
                || b.starts().length != 1
                || b.steps()[0] != 1
                || (axis < 0 ? axis + x.rank() : axis) != 1)
            throw new IllegalArgumentException(NodeAttributes.where(n) + " cuts " + x.describe() + " along axes "
                    + Arrays.toString(b.axes()) + "; CNN-J slices image tensors along the channel axis only, step 1");
        int c = x.dim(1);
        long from = ShapeArithmetic.clampAxis(b.starts()[0], c),
                to = Math.max(from, ShapeArithmetic.clampAxis(b.ends()[0], c));
        if (to == from)
            throw new IllegalArgumentException(NodeAttributes.where(n) + " leaves no channels of " + x.describe());
        return Narrow.channels(x, (int) from, (int) (to - from));
    }

    /** {@code pads} (top, left, bottom, right; symmetric) or null when the input was padded already. */
    private static ConvParams convParams(OnnxModelInfo.Node n, boolean transposed, long[] pads) {
        long[] s = n.integers("strides", new long[] {1, 1}), d = n.integers("dilations", new long[] {1, 1});
        long[] p = pads == null ? new long[2] : new long[] {pads[0], pads[1]};
        long[] op = n.integers("output_padding", new long[] {0, 0});
        return new ConvParams(
                (int) s[0],
                (int) s[1],
                (int) p[0],
                (int) p[1],
                (int) d[0],
                (int) d[1],
                (int) n.integer("group", 1),
                (int) op[0],
                (int) op[1]);
    }

    private static PoolParams poolParams(OnnxModelInfo.Node n, long[] pads) {
        if (n.integer("ceil_mode", 0) != 0 && !n.opType().equals("MaxPool"))
            throw new IllegalArgumentException(n.opType() + " with ceil_mode=1 is not supported");
        long[] k = n.integers("kernel_shape", null), s = n.integers("strides", new long[] {1, 1});
        long[] p = pads == null ? new long[2] : new long[] {pads[0], pads[1]};
        return new PoolParams((int) k[0], (int) k[1], (int) s[0], (int) s[1], (int) p[0], (int) p[1]);
    }

    /**
     * A window op's pads (top, left, bottom, right): its explicit pads, or those auto_pad gives this input (SAME_UPPER
     * puts the odd pixel at the end, SAME_LOWER at the start; VALID none).
     */
    private static long[] windowPads(OnnxModelInfo.Node n, Tensor x, long[] kernel) {
        String auto = n.attributes().get("auto_pad") instanceof String a ? a : "NOTSET";
        if (auto.equals("NOTSET")) return n.integers("pads", new long[4]).clone();
        if (auto.equals("VALID")) return new long[4];
        if (!auto.equals("SAME_UPPER") && !auto.equals("SAME_LOWER"))
            throw new IllegalArgumentException(n.opType() + " has auto_pad=" + auto + ", which ONNX does not define");
        long[] s = n.integers("strides", new long[] {1, 1}), d = n.integers("dilations", new long[] {1, 1});
        long[] p = new long[4];
        for (int a = 0; a < 2; a++) {
            long size = x.dim(2 + a), out = (size + s[a] - 1) / s[a];
            long total = Math.max(0, (out - 1) * s[a] + (kernel[a] - 1) * d[a] + 1 - size);
            p[a] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
            p[a + 2] = total - p[a];
        }
        return p;
    }

    /**
     * MaxPool with ceil_mode: the last, partial window of each axis is kept (unless it would start in the end padding,
     * as PyTorch and ONNX rule), by extending the end padding (−∞ for a max) so the floor formula reaches it.
     */
    private static long[] ceilPads(OnnxModelInfo.Node n, Tensor x, long[] p) {
        if (n.integer("ceil_mode", 0) == 0) return p;
        long[] k = n.integers("kernel_shape", null), s = n.integers("strides", new long[] {1, 1});
        long[] d = n.integers("dilations", new long[] {1, 1});
        long[] out = p.clone();
        for (int a = 0; a < 2; a++) {
            long span = x.dim(2 + a) + p[a] + p[a + 2], kernel = (k[a] - 1) * d[a] + 1;
            long ceil = (span - kernel + s[a] - 1) / s[a] + 1;
            if ((ceil - 1) * s[a] >= x.dim(2 + a) + p[a]) ceil--;
            out[a + 2] += Math.max(0, (ceil - 1) * s[a] + kernel - span);
        }
        return out;
    }

    /** The input padded with {@code fill} when the pads differ between sides (the op then pads nothing), else itself. */
    private static Tensor prePad(Tensor x, long[] p, float fill) {
        return p[0] == p[2] && p[1] == p[3] ? x : padded(x, p, fill);
    }

    /** The input padded with {@code fill} by ONNX pads (top, left, bottom, right), or itself when they are all 0. */
    private static Tensor padded(Tensor x, long[] p, float fill) {
        if (Arrays.stream(p).allMatch(v -> v == 0)) return x;
        return Pad2d.apply(x, (int) p[0], (int) p[2], (int) p[1], (int) p[3], Pad2d.Mode.CONSTANT, fill);
    }
}
