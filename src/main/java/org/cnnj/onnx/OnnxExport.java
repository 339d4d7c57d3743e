package org.cnnj.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cnnj.io.AtomicFiles;
import org.cnnj.nn.Module;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Exports a model to ONNX by tracing one inference-mode forward pass on an example input: every op
 * reports its ONNX node (see {@link Trace}), parameters and batch-norm statistics become initializers
 * named like the model's parameters, and the batch, height and width axes are left symbolic (N, H, W)
 * so ONNX Runtime accepts any image size the network accepts. Opset 17, IR version 8.
 *
 * <p>Graph: input "input" [N, C, H, W] float → output "output". {@link #exportGraph} exports other
 * forward functions of a module with several named outputs (the detector's backbone + RPN, its head).
 */
public final class OnnxExport {
    public static final int OPSET = 17;

    private OnnxExport() {}

    /** Serialized ModelProto. {@code metadata} goes to metadata_props (e.g. normalization, classes). */
    public static byte[] export(Module model, int[] exampleInputShape, Map<String, String> metadata) {
        return exportGraph(model, exampleInputShape, true, x -> Map.of("output", model.forward(x)), metadata);
    }

    /**
     * Exports {@code forward} (computed with {@code owner}'s parameters) as a graph with input "input"
     * and the named outputs, in map order. With {@code spatialAxesFree} the input's H and W are
     * symbolic (any image size), otherwise only N is (e.g. ROI crops of a fixed size).
     */
    public static byte[] exportGraph(
            Module owner,
            int[] exampleInputShape,
            boolean spatialAxesFree,
            Function<Tensor, Map<String, Tensor>> forward,
            Map<String, String> metadata) {
        boolean wasTraining = owner.isTraining();
        owner.train(false);
        try {
            return new Builder(owner).build(exampleInputShape, spatialAxesFree, forward, metadata);
        } finally {
            owner.train(wasTraining);
        }
    }

    /** {@link #exportGraph} written to {@code file} via a temporary file. */
    public static void exportGraph(
            Module owner,
            int[] exampleInputShape,
            boolean spatialAxesFree,
            Function<Tensor, Map<String, Tensor>> forward,
            Map<String, String> metadata,
            Path file)
            throws IOException {
        byte[] bytes = exportGraph(owner, exampleInputShape, spatialAxesFree, forward, metadata);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** Writes the model to {@code file} (via a temporary file; nothing half-written on failure). */
    public static void export(Module model, int[] exampleInputShape, Map<String, String> metadata, Path file)
            throws IOException {
        byte[] bytes = export(model, exampleInputShape, metadata);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static final class Builder implements Trace.Recorder {
        private final Map<Object, String> names = new IdentityHashMap<>();
        private final Map<Object, String> parameterNames = new IdentityHashMap<>();
        private final List<Protobuf> nodes = new ArrayList<>();
        private final Map<String, Protobuf> initializers = new LinkedHashMap<>();
        private final Module model;
        private int counter;

        Builder(Module model) {
            this.model = model;
            model.parameters().forEach((k, t) -> parameterNames.put(t, k));
            model.buffers().forEach((k, b) -> parameterNames.put(b, k));
        }

        byte[] build(
                int[] shape,
                boolean spatialAxesFree,
                Function<Tensor, Map<String, Tensor>> forward,
                Map<String, String> metadata) {
            Tensor input = Tensor.zeros(shape);
            names.put(input, "input");
            Map<String, Tensor> outputs = GradMode.noGrad(() -> Trace.with(this, () -> forward.apply(input)));
            String[] inputSymbols = shape.length == 5
                    ? new String[] {
                        "N",
                        null,
                        spatialAxesFree ? "D" : null,
                        spatialAxesFree ? "H" : null,
                        spatialAxesFree ? "W" : null
                    }
                    : new String[] {"N", null, spatialAxesFree ? "H" : null, spatialAxesFree ? "W" : null};
            List<Protobuf> outputInfos = new ArrayList<>();
            outputs.forEach((name, output) -> {
                String last = names.get(output);
                if (last == null)
                    throw new IllegalStateException(
                            "ONNX export: output '" + name + "' was not produced by a traced op");
                // Rename the value to the output's name by an Identity node: simpler than rewriting the node.
                nodes.add(OnnxProto.node("Identity", new String[] {last}, new String[] {name}, Map.of()));
                outputInfos.add(OnnxProto.valueInfo(
                        name,
                        OnnxProto.FLOAT,
                        output.shape(),
                        outputSymbols(name, output.shape(), shape, inputSymbols)));
            });
            List<Protobuf> inputs = List.of(OnnxProto.valueInfo(
                    "input", OnnxProto.FLOAT, shape, shape.length >= 4 ? inputSymbols : new String[] {"N"}));
            return OnnxProto.model(
                    OnnxProto.graph(
                            model.getClass().getSimpleName(), nodes, initializers.values(), inputs, outputInfos),
                    metadata);
        }

        @Override
        public void node(String opType, Tensor output, Map<String, Object> attributes, Object... inputs) {
            if (attributes.containsKey("training_mode")) {
                throw new UnsupportedOperationException(opType
                        + " in training mode cannot be exported for inference (switch the model to eval mode first)");
            }
            String[] in = new String[inputs.length];
            for (int i = 0; i < inputs.length; i++) in[i] = nameOf(inputs[i]);
            String out = "t" + counter++;
            names.put(output, out);
            nodes.add(OnnxProto.node(opType, in, new String[] {out}, attributes));
        }

        private String nameOf(Object input) {
            if (input instanceof String s) return s; // "" = optional input left out
            String known = names.get(input);
            if (known != null) return known;
            String param = parameterNames.get(input);
            String name = param != null ? param : "const" + initializers.size();
            if (input instanceof Tensor t) {
                initializers.put(name, OnnxProto.floatTensor(name, t.shape(), t.data()));
            } else if (input instanceof float[] f) {
                initializers.put(name, OnnxProto.floatTensor(name, new int[] {f.length}, f));
            } else if (input instanceof Float f) { // a scalar (rank 0), e.g. Clip's bounds
                initializers.put(name, OnnxProto.floatTensor(name, new int[0], new float[] {f}));
            } else if (input instanceof long[] l) {
                initializers.put(name, OnnxProto.longTensor(name, l));
            } else {
                throw new IllegalArgumentException("ONNX export: cannot export an input of type " + input.getClass());
            }
            names.put(input, name);
            return name;
        }

        /**
         * Symbolic axes of an output: the batch axis, and for 4-D outputs height and width: shared with
         * the input where equal to it (a U-Net), else named after the output (a stride-4 feature map).
         */
        private static String[] outputSymbols(String name, int[] shape, int[] inputShape, String[] inputSymbols) {
            String[] symbols = new String[shape.length];
            symbols[0] = "N";
            if (shape.length == inputShape.length && shape.length >= 4) {
                for (int i = 2; i < shape.length; i++) {
                    if (inputSymbols[i] == null) continue;
                    symbols[i] = shape[i] == inputShape[i] ? inputSymbols[i] : inputSymbols[i] + "_" + name;
                }
            }
            return symbols;
        }
    }
}
