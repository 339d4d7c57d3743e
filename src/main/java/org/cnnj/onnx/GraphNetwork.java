package org.cnnj.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.nn.Module;
import org.cnnj.ops.Add;
import org.cnnj.ops.AvgPool2d;
import org.cnnj.ops.BatchNorm2d;
import org.cnnj.ops.Concat;
import org.cnnj.ops.Conv2d;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.ConvTranspose2d;
import org.cnnj.ops.LeakyRelu;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Sigmoid;
import org.cnnj.ops.Tanh;
import org.cnnj.tensor.Tensor;

/**
 * A trainable network rebuilt from an ONNX graph made elsewhere (e.g. a U-Net exported from PyTorch),
 * so it can be fine-tuned in Java: its float initializers become parameters (batch-norm statistics
 * become buffers) under their ONNX names, and forward runs the graph's nodes in order with CNN-J ops,
 * which also lets the result be exported again. Supported ops: Conv, ConvTranspose, BatchNormalization,
 * Relu, LeakyRelu, Sigmoid, Tanh, MaxPool, AveragePool, Concat (channels), Add, Identity, Dropout (as
 * identity at export). Shapes: input [N, C, H, W] → the graph's first output.
 */
public final class GraphNetwork extends Module {
    private static final List<String> SUPPORTED = List.of(
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
            "Dropout");

    private final List<OnnxModelInfo.Node> nodes;
    private final String input, output;
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
        this.output = info.outputs().get(0).name();
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
        List<String> problems = NodeAttributes.problems(nodes);
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
                if (runningStatistic) {
                    statistics.put(name, buffer(name, w.clone()));
                } else {
                    long[] d = info.weightShapes().get(name);
                    int[] shape = new int[d.length];
                    for (int k = 0; k < d.length; k++) shape[k] = (int) d[k];
                    tensors.put(name, param(name, Tensor.of(w.clone(), shape)));
                    if (!upsampled) encoder.add(name);
                }
            }
        }
    }

    public static GraphNetwork load(Path model) throws IOException {
        return new GraphNetwork(OnnxModelInfo.read(model), model);
    }

    public List<String> encoderParameters() {
        return List.copyOf(encoder);
    }

    @Override
    public Tensor forward(Tensor x) {
        Map<String, Tensor> values = new LinkedHashMap<>(tensors);
        values.put(input, x);
        for (OnnxModelInfo.Node n : nodes) {
            List<Tensor> in = new ArrayList<>();
            for (String name : n.inputs()) in.add(name.isEmpty() ? null : values.get(name));
            values.put(n.outputs().get(0), run(n, in));
        }
        Tensor y = values.get(output);
        if (y == null) throw new IllegalStateException("the graph never computes its output " + output);
        return y;
    }

    private Tensor run(OnnxModelInfo.Node n, List<Tensor> in) {
        Tensor x = in.get(0);
        return switch (n.opType()) {
            case "Conv" -> Conv2d.apply(x, in.get(1), in.size() > 2 ? in.get(2) : null, convParams(n, false));
            case "ConvTranspose" ->
                ConvTranspose2d.apply(x, in.get(1), in.size() > 2 ? in.get(2) : null, convParams(n, true));
            case "BatchNormalization" ->
                BatchNorm2d.apply(
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
            case "MaxPool" -> MaxPool2d.apply(x, poolParams(n));
            case "AveragePool" -> AvgPool2d.apply(x, poolParams(n));
            case "Concat" -> {
                yield Concat.channels(
                        in.toArray(Tensor[]::new)); // axis 1 (or -3): NodeAttributes refused others at load
            }
            case "Add" -> Add.apply(x, in.get(1));
            default -> x; // Identity, Dropout (inference form)
        };
    }

    private static ConvParams convParams(OnnxModelInfo.Node n, boolean transposed) {
        long[] s = n.integers("strides", new long[] {1, 1}), d = n.integers("dilations", new long[] {1, 1});
        long[] p = symmetricPads(n), op = n.integers("output_padding", new long[] {0, 0});
        if (transposed && n.attributes().containsKey("output_shape"))
            throw new IllegalArgumentException("ConvTranspose with output_shape is not supported");
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

    private static PoolParams poolParams(OnnxModelInfo.Node n) {
        if (n.integer("ceil_mode", 0) != 0)
            throw new IllegalArgumentException(n.opType() + " with ceil_mode=1 is not supported");
        long[] k = n.integers("kernel_shape", null), s = n.integers("strides", new long[] {1, 1}), p = symmetricPads(n);
        return new PoolParams((int) k[0], (int) k[1], (int) s[0], (int) s[1], (int) p[0], (int) p[1]);
    }

    /** ONNX pads are (top, left, bottom, right); CNN-J pads both sides alike. */
    private static long[] symmetricPads(OnnxModelInfo.Node n) {
        String auto = n.attributes().get("auto_pad") instanceof String a ? a : "NOTSET";
        if (!auto.equals("NOTSET"))
            throw new IllegalArgumentException(
                    n.opType() + " with auto_pad=" + auto + " is not supported; export with explicit pads");
        long[] p = n.integers("pads", new long[] {0, 0, 0, 0});
        if (p[0] != p[2] || p[1] != p[3])
            throw new IllegalArgumentException(
                    n.opType() + " with asymmetric pads " + Arrays.toString(p) + " is not supported");
        return new long[] {p[0], p[1]};
    }
}
