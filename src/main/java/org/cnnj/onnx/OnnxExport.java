package org.cnnj.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private static final int IR_VERSION = 8;
    private static final int FLOAT = 1, INT64 = 7;

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
            Protobuf graph = new Protobuf();
            List<Protobuf> outputInfos = new ArrayList<>();
            outputs.forEach((name, output) -> {
                String last = names.get(output);
                if (last == null)
                    throw new IllegalStateException(
                            "ONNX export: output '" + name + "' was not produced by a traced op");
                // Rename the value to the output's name by an Identity node: simpler than rewriting the node.
                nodes.add(node("Identity", new String[] {last}, name, Map.of()));
                outputInfos.add(
                        valueInfo(name, output.shape(), outputSymbols(name, output.shape(), shape, inputSymbols)));
            });
            for (Protobuf n : nodes) graph.message(1, n);
            graph.string(2, model.getClass().getSimpleName());
            for (Protobuf t : initializers.values()) graph.message(5, t);
            graph.message(11, valueInfo("input", shape, shape.length >= 4 ? inputSymbols : new String[] {"N"}));
            for (Protobuf o : outputInfos) graph.message(12, o);

            Protobuf m = new Protobuf();
            m.varint(1, IR_VERSION);
            m.string(2, "CNN-J");
            m.string(3, "0.1");
            m.message(7, graph);
            m.message(8, new Protobuf().string(1, "").varint(2, OPSET));
            if (metadata != null) {
                // In key order: a Map.of's order changes from one JVM to the next, and the same model must give the
                // same bytes.
                new TreeMap<>(metadata)
                        .forEach((k, v) ->
                                m.message(14, new Protobuf().string(1, k).string(2, v)));
            }
            return m.toByteArray();
        }

        @Override
        public void node(String opType, Tensor output, Map<String, Object> attributes, Object... inputs) {
            String[] in = new String[inputs.length];
            for (int i = 0; i < inputs.length; i++) in[i] = nameOf(inputs[i]);
            String out = "t" + counter++;
            names.put(output, out);
            nodes.add(node(opType, in, out, attributes));
        }

        private String nameOf(Object input) {
            if (input instanceof String s) return s; // "" = optional input left out
            String known = names.get(input);
            if (known != null) return known;
            String param = parameterNames.get(input);
            String name = param != null ? param : "const" + initializers.size();
            if (input instanceof Tensor t) {
                initializers.put(name, tensor(name, t.shape(), t.data()));
            } else if (input instanceof float[] f) {
                initializers.put(name, tensor(name, new int[] {f.length}, f));
            } else if (input instanceof Float f) { // a scalar (rank 0), e.g. Clip's bounds
                initializers.put(name, tensor(name, new int[0], new float[] {f}));
            } else if (input instanceof long[] l) {
                initializers.put(
                        name,
                        new Protobuf()
                                .packedInt64(1, new long[] {l.length})
                                .varint(2, INT64)
                                .string(8, name)
                                .bytes(9, Protobuf.littleEndian(l)));
            } else {
                throw new IllegalArgumentException("ONNX export: cannot export an input of type " + input.getClass());
            }
            names.put(input, name);
            return name;
        }

        private static Protobuf tensor(String name, int[] shape, float[] data) {
            long[] dims = new long[shape.length];
            for (int i = 0; i < dims.length; i++) dims[i] = shape[i];
            return new Protobuf()
                    .packedInt64(1, dims)
                    .varint(2, FLOAT)
                    .string(8, name)
                    .bytes(9, Protobuf.littleEndian(data));
        }

        private static Protobuf node(String opType, String[] inputs, String output, Map<String, Object> attributes) {
            Protobuf n = new Protobuf();
            for (String i : inputs) n.string(1, i);
            n.string(2, output);
            n.string(3, output + "_" + opType);
            n.string(4, opType);
            attributes.forEach((k, v) -> n.message(5, attribute(k, v)));
            return n;
        }

        private static Protobuf attribute(String name, Object value) {
            Protobuf a = new Protobuf().string(1, name);
            if (value instanceof Float f) return a.float32(2, f).varint(20, 1);
            if (value instanceof Long l) return a.varint(3, l).varint(20, 2);
            if (value instanceof Integer i) return a.varint(3, i).varint(20, 2);
            if (value instanceof String s) return a.string(4, s).varint(20, 3);
            if (value instanceof float[] fs) return a.packedFloat(7, fs).varint(20, 6);
            if (value instanceof long[] ls) return a.packedInt64(8, ls).varint(20, 7);
            throw new IllegalArgumentException(
                    "ONNX export: attribute " + name + " has unsupported type " + value.getClass());
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

        /** Tensor value info; axes with a symbol are left free. */
        private static Protobuf valueInfo(String name, int[] shape, String[] symbols) {
            Protobuf dims = new Protobuf();
            for (int i = 0; i < shape.length; i++) {
                boolean symbolic = i < symbols.length && symbols[i] != null;
                dims.message(1, symbolic ? new Protobuf().string(2, symbols[i]) : new Protobuf().varint(1, shape[i]));
            }
            Protobuf tensorType = new Protobuf().varint(1, FLOAT).message(2, dims);
            return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
        }
    }
}
