package org.cnnj.onnx;

import static org.cnnj.tensor.Shapes.size;
import static org.cnnj.tensor.Trace.attrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation of a traced forward graph, written as ONNX nodes: for each op CNN-J traces, the nodes
 * of its backward — the same formulas as the Java op's backward beside its forward in {@code ops}, in ONNX's standard
 * ops (a convolution's input gradient is a ConvTranspose with the same weight, its weight gradient a Conv of the input
 * with the output gradient, a max pool's a ScatterElements of the gradient to the winners' indices). Two forward nodes
 * are written in their training form: BatchNormalization in training mode (batch statistics, the running-statistics
 * update as outputs) and MaxPool (with the winners' indices). Ops without a rule here fail with their name.
 */
final class Gradients {
    /** One traced forward node. */
    record Node(String type, String[] inputs, String output, Map<String, Object> attributes) {}

    private final GraphBuilder g;
    private final Set<String> needsGrad;
    private final Map<String, List<String>> contributions = new HashMap<>();
    private final Map<Node, String[]> saved = new IdentityHashMap<>();
    private final Map<String, String> bufferUpdates = new LinkedHashMap<>();

    /** {@code needsGrad}: the values that depend on a trainable parameter (and the parameters). */
    Gradients(GraphBuilder g, Set<String> needsGrad) {
        this.g = g;
        this.needsGrad = needsGrad;
    }

    /** Running statistics (graph input name) → their value after this step. */
    Map<String, String> bufferUpdates() {
        return bufferUpdates;
    }

    /** Adds {@code grad} to the gradient of {@code value}. */
    void accumulate(String value, String grad) {
        if (needsGrad.contains(value))
            contributions.computeIfAbsent(value, k -> new ArrayList<>()).add(grad);
    }

    /** The whole gradient of {@code value} (summed when several ops used it), or null when nothing reached it. */
    String total(String value) {
        List<String> parts = contributions.get(value);
        if (parts == null || parts.isEmpty()) return null;
        if (parts.size() == 1) return parts.get(0);
        String sum = g.op("Sum", g.shape(value), parts.toArray(String[]::new));
        parts.clear();
        parts.add(sum);
        return sum;
    }

    // ---- forward ----

    void forward(Node n) {
        if (n.type.equals("BatchNormalization") && n.attributes.containsKey("training_mode")) {
            batchNormForward(n);
        } else if (n.type.equals("Dropout") && n.attributes.containsKey("training_mode")) {
            dropoutForward(n);
        } else if (n.type.equals("MaxPool")) {
            String indices = g.fresh("idx");
            g.nodes.add(OnnxProto.node("MaxPool", n.inputs, new String[] {n.output, indices}, n.attributes));
            saved.put(n, new String[] {indices});
        } else {
            g.nodes.add(OnnxProto.node(n.type, n.inputs, new String[] {n.output}, n.attributes));
        }
    }

    /**
     * x̂ = (x − μ)/√(σ² + ε) with the batch's μ and biased σ², y = γx̂ + β; running = (1 − m)·running + m·batch (the
     * unbiased variance), as PyTorch and ops.BatchNormalization.
     */
    private void batchNormForward(Node n) {
        String x = n.inputs[0], gamma = n.inputs[1], beta = n.inputs[2], runMean = n.inputs[3], runVar = n.inputs[4];
        int[] xs = g.shape(x), stat = statShape(xs);
        long[] axes = statAxes(xs.length);
        float eps = (Float) n.attributes.get("epsilon"), momentum = (Float) n.attributes.get("momentum");
        long count = size(xs) / xs[1];
        String mean = g.op("ReduceMean", attrs("axes", axes, "keepdims", 1L), stat, x);
        String centred = g.op("Sub", xs, x, mean);
        String var = g.op("ReduceMean", attrs("axes", axes, "keepdims", 1L), stat, g.op("Mul", xs, centred, centred));
        String invStd = g.op("Reciprocal", stat, g.op("Sqrt", stat, g.op("Add", stat, var, g.scalar(eps))));
        String xhat = g.op("Mul", xs, centred, invStd);
        String gammaR = g.op("Reshape", stat, gamma, g.longs(GraphBuilder.longs(stat)));
        String betaR = g.op("Reshape", stat, beta, g.longs(GraphBuilder.longs(stat)));
        g.opNamed(n.output, "Add", attrs(), xs, g.op("Mul", xs, xhat, gammaR), betaR);
        int[] c = {xs[1]};
        String keep = g.scalar(1 - momentum), take = g.scalar(momentum);
        String meanC = g.op("Reshape", c, mean, g.longs(xs[1]));
        String unbiased = g.op("Mul", c, g.op("Reshape", c, var, g.longs(xs[1])), g.scalar(count / (count - 1f)));
        // A module run twice in one step (a detector's head shared by its pyramid levels) updates its statistics
        // twice, as in Java: the second update starts from the first's result.
        String lastMean = bufferUpdates.getOrDefault(runMean, runMean),
                lastVar = bufferUpdates.getOrDefault(runVar, runVar);
        bufferUpdates.put(runMean, g.op("Add", c, g.op("Mul", c, lastMean, keep), g.op("Mul", c, meanC, take)));
        bufferUpdates.put(runVar, g.op("Add", c, g.op("Mul", c, lastVar, keep), g.op("Mul", c, unbiased, take)));
        saved.put(n, new String[] {xhat, invStd, gammaR, Long.toString(count)});
    }

    /**
     * Inverted dropout with a mask drawn by ONNX Runtime at every run (per value, or per channel plane when spatial):
     * mask = [u ≥ p] / (1 − p), y = x·mask, as ops.Dropout (other random numbers than Java's).
     */
    private void dropoutForward(Node n) {
        String x = n.inputs[0];
        int[] xs = g.shape(x), ms = xs.clone();
        float p = (Float) n.attributes.get("ratio");
        if (Long.valueOf(1L).equals(n.attributes.get("spatial"))) for (int i = 2; i < ms.length; i++) ms[i] = 1;
        String uniform = g.op("RandomUniform", attrs("dtype", 1L, "shape", GraphBuilder.longs(ms)), ms);
        String kept = g.op("Cast", attrs("to", 1L), ms, g.op("GreaterOrEqual", null, uniform, g.scalar(p)));
        String mask = g.op("Mul", ms, kept, g.scalar(1f / (1f - p)));
        g.opNamed(n.output, "Mul", attrs(), xs, x, mask);
        saved.put(n, new String[] {mask});
    }

    // ---- backward ----

    /** Emits the gradients of {@code n}'s inputs from {@code dy}, the gradient of its output. */
    void backward(Node n, String dy) {
        String[] in = n.inputs;
        switch (n.type) {
            case "Conv" -> conv(n, dy);
            case "ConvTranspose" -> convTranspose(n, dy);
            case "Gemm" -> gemm(n, dy);
            case "BatchNormalization" -> batchNorm(n, dy);
            case "MaxPool" -> maxPool(n, dy);
            case "AveragePool" -> averagePool(n, dy);
            case "GlobalAveragePool" -> {
                int[] xs = g.shape(in[0]);
                String scaled = g.op("Mul", g.shape(dy), dy, g.scalar(1f / (xs[2] * xs[3])));
                accumulate(in[0], g.op("Expand", xs, scaled, g.longs(GraphBuilder.longs(xs))));
            }
            case "Relu" -> accumulate(in[0], where(g.op("Greater", null, in[0], g.scalar(0f)), dy));
            case "LeakyRelu" -> {
                float alpha = (Float) n.attributes.getOrDefault("alpha", 0.01f);
                String small = g.op("Mul", g.shape(dy), dy, g.scalar(alpha));
                accumulate(in[0], g.op("Where", g.shape(dy), g.op("Greater", null, in[0], g.scalar(0f)), dy, small));
            }
            case "Clip" -> clip(n, dy);
            case "Sigmoid" -> {
                String y = n.output;
                String slope = g.op("Mul", g.shape(y), y, g.op("Sub", g.shape(y), g.scalar(1f), y));
                accumulate(in[0], g.op("Mul", g.shape(dy), dy, slope));
            }
            case "Tanh" -> {
                String y = n.output;
                String slope = g.op("Sub", g.shape(y), g.scalar(1f), g.op("Mul", g.shape(y), y, y));
                accumulate(in[0], g.op("Mul", g.shape(dy), dy, slope));
            }
            case "Add" -> {
                accumulate(in[0], reduceTo(dy, in[0]));
                accumulate(in[1], reduceTo(dy, in[1]));
            }
            case "Sub" -> {
                accumulate(in[0], reduceTo(dy, in[0]));
                if (needsGrad.contains(in[1])) accumulate(in[1], reduceTo(g.op("Neg", g.shape(dy), dy), in[1]));
            }
            case "Mul" -> {
                if (needsGrad.contains(in[0])) accumulate(in[0], reduceTo(g.op("Mul", g.shape(dy), dy, in[1]), in[0]));
                if (needsGrad.contains(in[1])) accumulate(in[1], reduceTo(g.op("Mul", g.shape(dy), dy, in[0]), in[1]));
            }
            case "Concat" -> concat(n, dy);
            case "Resize" -> resize(n, dy);
            case "Slice" -> slice(n, dy);
            case "Pad" -> pad(n, dy);
            case "Reshape", "Flatten" -> accumulate(in[0], g.op("Reshape", g.shape(in[0]), dy, shapeOf(in[0])));
            case "Identity" -> accumulate(in[0], dy);
            case "Dropout" -> accumulate(in[0], g.op("Mul", g.shape(dy), dy, saved.get(n)[0]));
            case "Transpose" -> {
                long[] perm = (long[]) n.attributes.get("perm");
                long[] inverse = new long[perm.length];
                for (int i = 0; i < perm.length; i++) inverse[(int) perm[i]] = i;
                accumulate(in[0], g.op("Transpose", attrs("perm", inverse), g.shape(in[0]), dy));
            }
            default ->
                throw new UnsupportedOperationException("the ONNX training graph has no gradient for " + n.type
                        + " yet; train this model with the Java engine (--train-engine java)");
        }
    }

    private String where(String condition, String dy) {
        return g.op("Where", g.shape(dy), condition, dy, g.scalar(0f));
    }

    /** ReLU6 and other clamps: the gradient passes where lo < x < hi (a missing bound passes everything on its side). */
    private void clip(Node n, String dy) {
        String x = n.inputs[0];
        String lo = n.inputs.length > 1 ? n.inputs[1] : "", hi = n.inputs.length > 2 ? n.inputs[2] : "";
        String mask = null;
        if (!lo.isEmpty()) mask = g.op("Greater", null, x, lo);
        if (!hi.isEmpty()) {
            String below = g.op("Less", null, x, hi);
            mask = mask == null ? below : g.op("And", null, mask, below);
        }
        accumulate(x, mask == null ? dy : where(mask, dy));
    }

    /** The gradient summed over the axes along which {@code value} was broadcast, in {@code value}'s shape. */
    private String reduceTo(String dy, String value) {
        if (!needsGrad.contains(value)) return dy;
        int[] ys = g.shape(dy), vs = g.shape(value);
        if (Arrays.equals(ys, vs)) return dy;
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < ys.length; i++) {
            int vi = i - (ys.length - vs.length);
            if (vi < 0 || (vs[vi] == 1 && ys[i] != 1)) axes.add((long) i);
        }
        int[] kept = ys.clone();
        for (long a : axes) kept[(int) a] = 1;
        String summed = g.op(
                "ReduceSum",
                attrs("keepdims", 1L),
                kept,
                dy,
                g.longs(axes.stream().mapToLong(Long::longValue).toArray()));
        return g.op("Reshape", vs, summed, shapeOf(value));
    }

    private String shapeOf(String value) {
        return g.longs(GraphBuilder.longs(g.shape(value)));
    }

    // convolutions

    private void conv(Node n, String dy) {
        String x = n.inputs[0], w = n.inputs[1];
        int[] xs = g.shape(x), ws = g.shape(w), ys = g.shape(dy);
        int k = xs.length - 2; // spatial axes: 2 for a plane, 3 for a volume
        long[] strides = longsAttr(n, "strides", 1, k),
                dilations = longsAttr(n, "dilations", 1, k),
                pads = padsAttr(n, k);
        long groups = (Long) n.attributes.getOrDefault("group", 1L);
        if (n.inputs.length > 2) biasGradient(n.inputs[2], dy);
        if (needsGrad.contains(x)) {
            long[] outputPadding = new long[k];
            for (int a = 0; a < k; a++) {
                long covered =
                        strides[a] * (ys[2 + a] - 1) + dilations[a] * (ws[2 + a] - 1) + 1 - pads[a] - pads[a + k];
                outputPadding[a] = xs[2 + a] - covered;
            }
            Map<String, Object> a = attrs(
                    "kernel_shape", spatial(ws),
                    "strides", strides,
                    "pads", pads,
                    "dilations", dilations,
                    "group", groups,
                    "output_padding", outputPadding);
            accumulate(x, g.op("ConvTranspose", a, xs, dy, w));
        }
        if (!needsGrad.contains(w)) return;
        boolean depthwise = groups == xs[1] && groups == ws[0] && ws[1] == 1;
        if (groups != 1 && !depthwise) {
            throw new UnsupportedOperationException("the ONNX training graph has no weight gradient for a grouped"
                    + " convolution with " + groups + " groups of " + ws[1] + " channels yet; train with"
                    + " --train-engine java");
        }
        accumulate(w, weightGradient(x, dy, ws, strides, pads, dilations, depthwise));
    }

    /**
     * ConvTranspose is the adjoint of Conv with the same weight: its input gradient is a Conv of dy, its weight
     * gradient the Conv weight gradient with the roles of input and output gradient exchanged.
     */
    private void convTranspose(Node n, String dy) {
        String x = n.inputs[0], w = n.inputs[1];
        int[] xs = g.shape(x), ws = g.shape(w);
        int k = xs.length - 2;
        long[] strides = longsAttr(n, "strides", 1, k),
                dilations = longsAttr(n, "dilations", 1, k),
                pads = padsAttr(n, k);
        long groups = (Long) n.attributes.getOrDefault("group", 1L);
        if (groups != 1) {
            throw new UnsupportedOperationException(
                    "the ONNX training graph has no gradient for a grouped ConvTranspose yet; train with"
                            + " --train-engine java");
        }
        if (n.inputs.length > 2) biasGradient(n.inputs[2], dy);
        if (needsGrad.contains(x)) {
            Map<String, Object> a = attrs(
                    "kernel_shape", spatial(ws),
                    "strides", strides,
                    "pads", pads,
                    "dilations", dilations,
                    "group", groups);
            accumulate(x, g.op("Conv", a, xs, dy, w));
        }
        if (needsGrad.contains(w)) accumulate(w, weightGradient(dy, x, ws, strides, pads, dilations, false));
    }

    private void biasGradient(String bias, String dy) {
        if (needsGrad.contains(bias))
            accumulate(
                    bias,
                    g.op("ReduceSum", attrs("keepdims", 0L), g.shape(bias), dy, g.longs(statAxes(g.shape(dy).length))));
    }

    /**
     * Σₙ input[n, c, y·s + i·d − p] · grad[n, o, y] for every (c, o, i): a Conv over the batch axis, with the input's
     * channels as its batch, the gradient as its weight, stride and dilation exchanged; cropped to the kernel size
     * (rows the forward's stride never reached are left out) and transposed to {@code weightShape}'s order. For a
     * Conv (input x, grad dy) that gives [O, C, k…]; for a ConvTranspose (input dy, grad x) [C, O, k…]. Any number of
     * spatial axes (a plane, a volume).
     */
    private String weightGradient(
            String input,
            String grad,
            int[] weightShape,
            long[] strides,
            long[] pads,
            long[] dilations,
            boolean depthwise) {
        int[] is = g.shape(input), gs = g.shape(grad);
        int k = is.length - 2;
        int[] full = new int[k];
        for (int a = 0; a < k; a++) {
            long extent = strides[a] * (gs[2 + a] - 1) + 1;
            full[a] = (int) ((is[2 + a] + pads[a] + pads[a + k] - extent) / dilations[a] + 1);
        }
        long[] perm = new long[k + 2];
        for (int a = 0; a < perm.length; a++) perm[a] = a;
        perm[0] = 1;
        perm[1] = 0;
        String inputT = g.op("Transpose", attrs("perm", perm), swapped(is), input);
        String gradT = g.op("Transpose", attrs("perm", perm), swapped(gs), grad);
        Map<String, Object> a = attrs(
                "kernel_shape", spatial(gs),
                "strides", dilations,
                "pads", pads,
                "dilations", strides);
        if (depthwise) {
            int c = is[1];
            int[] batchedShape = is.clone(), out = withSpatial(1, c, full);
            batchedShape[0] = 1;
            batchedShape[1] = c * is[0];
            String batched = g.op("Reshape", batchedShape, inputT, g.longs(GraphBuilder.longs(batchedShape)));
            a.put("group", (long) c);
            String r = g.op("Conv", a, out, batched, gradT);
            String cropped = crop(r, out, weightShape);
            return g.op("Reshape", weightShape, cropped, g.longs(GraphBuilder.longs(weightShape)));
        }
        int[] rs = withSpatial(is[1], gs[1], full);
        String cropped = crop(g.op("Conv", a, rs, inputT, gradT), rs, weightShape);
        return g.op("Transpose", attrs("perm", perm), weightShape, cropped);
    }

    /** The shape with its first two axes exchanged. */
    private static int[] swapped(int[] shape) {
        int[] s = shape.clone();
        s[0] = shape[1];
        s[1] = shape[0];
        return s;
    }

    /** [a, b, spatial…]. */
    private static int[] withSpatial(int a, int b, int[] spatial) {
        int[] s = new int[spatial.length + 2];
        s[0] = a;
        s[1] = b;
        System.arraycopy(spatial, 0, s, 2, spatial.length);
        return s;
    }

    /** The spatial sizes of a shape [N, C, spatial…] as an attribute (a kernel's shape). */
    private static long[] spatial(int[] shape) {
        long[] s = new long[shape.length - 2];
        for (int a = 0; a < s.length; a++) s[a] = shape[2 + a];
        return s;
    }

    /** {@code value} of {@code shape} cut to the kernel sizes of {@code weightShape} on the spatial axes. */
    private String crop(String value, int[] shape, int[] weightShape) {
        int k = shape.length - 2;
        long[] starts = new long[k], ends = new long[k], axes = new long[k];
        boolean whole = true;
        for (int a = 0; a < k; a++) {
            if (shape[2 + a] < weightShape[2 + a]) {
                throw new IllegalStateException("training graph: weight gradient " + Arrays.toString(shape)
                        + " smaller than the kernel " + Arrays.toString(weightShape));
            }
            ends[a] = weightShape[2 + a];
            axes[a] = 2 + a;
            whole &= shape[2 + a] == weightShape[2 + a];
        }
        if (whole) return value;
        int[] out = shape.clone();
        for (int a = 0; a < k; a++) out[2 + a] = weightShape[2 + a];
        return g.op("Slice", out, value, g.longs(starts), g.longs(ends), g.longs(axes));
    }

    /** y = x·Wᵀ + b (transB = 1, as ops.Addmm traces it): dx = dy·W, dW = dyᵀ·x, db = Σₙ dy. */
    private void gemm(Node n, String dy) {
        String x = n.inputs[0], w = n.inputs[1];
        if (!Long.valueOf(1L).equals(n.attributes.get("transB")) || n.attributes.containsKey("transA")) {
            throw new UnsupportedOperationException("the ONNX training graph differentiates Gemm only as x·Wᵀ + b");
        }
        if (needsGrad.contains(x)) accumulate(x, g.op("MatMul", g.shape(x), dy, w));
        if (needsGrad.contains(w)) accumulate(w, g.op("Gemm", attrs("transA", 1L), g.shape(w), dy, x));
        if (n.inputs.length > 2 && needsGrad.contains(n.inputs[2])) {
            accumulate(n.inputs[2], g.op("ReduceSum", attrs("keepdims", 0L), g.shape(n.inputs[2]), dy, g.longs(0)));
        }
    }

    /** dx = γσ⁻¹/M · (M·dy − Σdy − x̂·Σ(dy·x̂)); dγ = Σ(dy·x̂); dβ = Σdy (sums over all axes but the channels). */
    private void batchNorm(Node n, String dy) {
        String[] s = saved.get(n);
        if (s == null) {
            throw new UnsupportedOperationException(
                    "the ONNX training graph differentiates batch normalization only in training mode");
        }
        String x = n.inputs[0], gamma = n.inputs[1], beta = n.inputs[2];
        String xhat = s[0], invStd = s[1], gammaR = s[2];
        float count = Long.parseLong(s[3]);
        int[] xs = g.shape(x), stat = statShape(xs), c = {xs[1]};
        String axes = g.longs(statAxes(xs.length));
        String dBeta = g.op("ReduceSum", attrs("keepdims", 0L), c, dy, axes);
        String dGamma = g.op("ReduceSum", attrs("keepdims", 0L), c, g.op("Mul", xs, dy, xhat), axes);
        accumulate(beta, dBeta);
        accumulate(gamma, dGamma);
        if (!needsGrad.contains(x)) return;
        String statLongs = g.longs(GraphBuilder.longs(stat));
        String inner = g.op(
                "Sub",
                xs,
                g.op("Sub", xs, g.op("Mul", xs, dy, g.scalar(count)), g.op("Reshape", stat, dBeta, statLongs)),
                g.op("Mul", xs, xhat, g.op("Reshape", stat, dGamma, statLongs)));
        String coefficient = g.op("Mul", stat, g.op("Mul", stat, gammaR, invStd), g.scalar(1f / count));
        accumulate(x, g.op("Mul", xs, inner, coefficient));
    }

    /** The gradient goes to each window's winner: added at the indices MaxPool gave (windows may overlap). */
    private void maxPool(Node n, String dy) {
        String x = n.inputs[0];
        int[] xs = g.shape(x);
        long total = size(xs);
        String zeros = g.op("ConstantOfShape", new int[] {(int) total}, g.longs(total));
        String flatIndices = g.op("Reshape", null, saved.get(n)[0], g.longs(-1));
        String flatGrad = g.op("Reshape", new int[] {g.shape(dy).length == 0 ? 1 : size(g.shape(dy))}, dy, g.longs(-1));
        String scattered = g.op(
                "ScatterElements",
                attrs("axis", 0L, "reduction", "add"),
                new int[] {(int) total},
                zeros,
                flatIndices,
                flatGrad);
        accumulate(x, g.op("Reshape", xs, scattered, shapeOf(x)));
    }

    /** Average pooling counts the padding in its divisor (count_include_pad): its adjoint is a depthwise ConvTranspose. */
    private void averagePool(Node n, String dy) {
        String x = n.inputs[0];
        int[] xs = g.shape(x), ys = g.shape(dy);
        int k = xs.length - 2, channels = xs[1];
        long[] kernel = (long[]) n.attributes.get("kernel_shape"),
                strides = longsAttr(n, "strides", 1, k),
                pads = padsAttr(n, k);
        int window = 1;
        int[] weightShape = new int[k + 2];
        weightShape[0] = channels;
        weightShape[1] = 1;
        for (int a = 0; a < k; a++) {
            window *= (int) kernel[a];
            weightShape[2 + a] = (int) kernel[a];
        }
        float[] ones = new float[channels * window];
        Arrays.fill(ones, 1f / window);
        String weight = g.constant(ones, weightShape);
        long[] outputPadding = new long[k];
        for (int a = 0; a < k; a++)
            outputPadding[a] = xs[2 + a] - (strides[a] * (ys[2 + a] - 1) + kernel[a] - pads[a] - pads[a + k]);
        Map<String, Object> a = attrs(
                "kernel_shape", kernel,
                "strides", strides,
                "pads", pads,
                "group", (long) channels,
                "output_padding", outputPadding);
        accumulate(x, g.op("ConvTranspose", a, xs, dy, weight));
    }

    /** Each input gets its own part of dy along the axis. */
    private void concat(Node n, String dy) {
        long axis = (Long) n.attributes.get("axis");
        int[] ys = g.shape(dy);
        int rank = ys.length, ax = (int) (axis < 0 ? axis + rank : axis);
        long[] sizes = new long[n.inputs.length];
        int[][] shapes = new int[n.inputs.length][];
        for (int i = 0; i < sizes.length; i++) {
            shapes[i] = g.shape(n.inputs[i]);
            sizes[i] = shapes[i][ax];
        }
        String[] parts = g.ops("Split", attrs("axis", (long) ax), shapes, dy, g.longs(sizes));
        for (int i = 0; i < parts.length; i++) accumulate(n.inputs[i], parts[i]);
    }

    /**
     * Nearest up-sampling by whole factors, as ops.Upsample does it (asymmetric coordinates, floor): each input value
     * fills one block of the output, so its gradient is the block's sum — dy split into blocks [N, C, h, f_h, w, f_w]
     * and summed over the f axes. Linear resizing has no rule yet.
     */
    private void resize(Node n, String dy) {
        String x = n.inputs[0];
        int[] xs = g.shape(x), ys = g.shape(dy);
        boolean blocks = "nearest".equals(n.attributes.get("mode"))
                && "asymmetric".equals(n.attributes.get("coordinate_transformation_mode"))
                && "floor".equals(n.attributes.get("nearest_mode"))
                && xs[0] == ys[0]
                && xs[1] == ys[1];
        for (int a = 2; blocks && a < xs.length; a++) blocks = ys[a] % xs[a] == 0;
        if (!blocks) {
            throw new UnsupportedOperationException("the ONNX training graph has no gradient for Resize in mode "
                    + n.attributes.get("mode") + " (bilinear up-sampling inside a network) yet, only for nearest"
                    + " up-sampling by whole factors; train this model with the Java engine (--train-engine java)");
        }
        int k = xs.length - 2;
        int[] split = new int[2 + 2 * k];
        long[] axes = new long[k];
        split[0] = xs[0];
        split[1] = xs[1];
        for (int a = 0; a < k; a++) {
            split[2 + 2 * a] = xs[2 + a];
            split[3 + 2 * a] = ys[2 + a] / xs[2 + a];
            axes[a] = 3 + 2 * a;
        }
        String inBlocks = g.op("Reshape", split, dy, g.longs(GraphBuilder.longs(split)));
        accumulate(x, g.op("ReduceSum", attrs("keepdims", 0L), xs, inBlocks, g.longs(axes)));
    }

    /** A slice's gradient is dy padded back with zeros to the input's shape. */
    private void slice(Node n, String dy) {
        String x = n.inputs[0];
        int[] xs = g.shape(x);
        long[] starts = g.longsOf(n.inputs[1]), ends = g.longsOf(n.inputs[2]);
        long[] axes = n.inputs.length > 3 && !n.inputs[3].isEmpty() ? g.longsOf(n.inputs[3]) : null;
        if (n.inputs.length > 4 && !n.inputs[4].isEmpty()) {
            for (long s : g.longsOf(n.inputs[4])) {
                if (s != 1) throw new UnsupportedOperationException("the ONNX training graph slices only with step 1");
            }
        }
        long[] pads = new long[2 * xs.length];
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + xs.length : axes[i]);
            long start = clampIndex(starts[i], xs[axis]), end = clampIndex(ends[i], xs[axis]);
            pads[axis] = start;
            pads[axis + xs.length] = xs[axis] - end;
        }
        accumulate(x, g.op("Pad", attrs("mode", "constant"), xs, dy, g.longs(pads)));
    }

    private static long clampIndex(long index, int length) {
        long i = index < 0 ? index + length : index;
        return Math.max(0, Math.min(length, i));
    }

    /** A constant pad's gradient is dy with the padding cut off. */
    private void pad(Node n, String dy) {
        Object mode = n.attributes.getOrDefault("mode", "constant");
        if (!"constant".equals(mode)) {
            throw new UnsupportedOperationException("the ONNX training graph has no gradient for " + mode
                    + " padding yet; train with --train-engine java");
        }
        String x = n.inputs[0];
        int[] xs = g.shape(x);
        long[] pads = g.longsOf(n.inputs[1]);
        long[] starts = new long[xs.length], ends = new long[xs.length], axes = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            starts[i] = pads[i];
            ends[i] = pads[i] + xs[i];
            axes[i] = i;
        }
        accumulate(x, g.op("Slice", xs, dy, g.longs(starts), g.longs(ends), g.longs(axes)));
    }

    // attributes and shapes

    /** An attribute with one value per spatial axis ({@code k} of them), {@code fallback} on each where absent. */
    private static long[] longsAttr(Node n, String name, long fallback, int k) {
        long[] v = (long[]) n.attributes.get(name);
        if (v != null) return v;
        long[] f = new long[k];
        Arrays.fill(f, fallback);
        return f;
    }

    /** Begin and end pads of the {@code k} spatial axes (zeros where absent). */
    private static long[] padsAttr(Node n, int k) {
        long[] v = (long[]) n.attributes.get("pads");
        return v != null ? v : new long[2 * k];
    }

    /** [1, C, 1, 1] (or [1, C, 1, 1, 1] for a volume): the shape of per-channel statistics. */
    static int[] statShape(int[] xs) {
        int[] s = new int[xs.length];
        Arrays.fill(s, 1);
        s[1] = xs[1];
        return s;
    }

    /** Every axis but the channels'. */
    static long[] statAxes(int rank) {
        long[] axes = new long[rank - 1];
        axes[0] = 0;
        for (int i = 2; i < rank; i++) axes[i - 1] = i;
        return axes;
    }
}
