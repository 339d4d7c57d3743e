package org.cnnj.onnx;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The few ONNX protobuf messages CNN-J writes (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto), shared
 * by the inference export ({@link OnnxExport}) and the training-step graph ({@link TrainingGraph}). Opset 17, IR 8.
 */
final class OnnxProto {
    static final int FLOAT = 1, INT64 = 7;
    private static final int IR_VERSION = 8;

    private OnnxProto() {}

    static Protobuf floatTensor(String name, int[] shape, float[] data) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) dims[i] = shape[i];
        return new Protobuf()
                .packedInt64(1, dims)
                .varint(2, FLOAT)
                .string(8, name)
                .bytes(9, Protobuf.littleEndian(data));
    }

    static Protobuf longTensor(String name, long[] values) {
        return new Protobuf()
                .packedInt64(1, new long[] {values.length})
                .varint(2, INT64)
                .string(8, name)
                .bytes(9, Protobuf.littleEndian(values));
    }

    static Protobuf node(String opType, String[] inputs, String[] outputs, Map<String, Object> attributes) {
        Protobuf n = new Protobuf();
        for (String i : inputs) n.string(1, i);
        for (String o : outputs) n.string(2, o);
        n.string(3, outputs[0] + "_" + opType);
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

    /** Value info of a tensor of {@code elementType}; axes with a symbol are left free. */
    static Protobuf valueInfo(String name, int elementType, int[] shape, String[] symbols) {
        Protobuf dims = new Protobuf();
        for (int i = 0; i < shape.length; i++) {
            boolean symbolic = symbols != null && i < symbols.length && symbols[i] != null;
            dims.message(1, symbolic ? new Protobuf().string(2, symbols[i]) : new Protobuf().varint(1, shape[i]));
        }
        Protobuf tensorType = new Protobuf().varint(1, elementType).message(2, dims);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }

    /** A graph of {@code nodes} with its initializers, inputs and outputs (value infos), in that order. */
    static Protobuf graph(
            String name,
            List<Protobuf> nodes,
            Iterable<Protobuf> initializers,
            List<Protobuf> inputs,
            List<Protobuf> outputs) {
        Protobuf graph = new Protobuf();
        for (Protobuf n : nodes) graph.message(1, n);
        graph.string(2, name);
        for (Protobuf t : initializers) graph.message(5, t);
        for (Protobuf i : inputs) graph.message(11, i);
        for (Protobuf o : outputs) graph.message(12, o);
        return graph;
    }

    /** The serialized ModelProto; {@code metadata} (may be null) goes to metadata_props in key order. */
    static byte[] model(Protobuf graph, Map<String, String> metadata) {
        Protobuf m = new Protobuf();
        m.varint(1, IR_VERSION);
        m.string(2, "CNN-J");
        m.string(3, "0.1");
        m.message(7, graph);
        m.message(8, new Protobuf().string(1, "").varint(2, OnnxExport.OPSET));
        if (metadata != null) {
            // In key order: a Map.of's order changes from one JVM to the next, and the same model must give the same
            // bytes.
            new TreeMap<>(metadata)
                    .forEach((k, v) -> m.message(14, new Protobuf().string(1, k).string(2, v)));
        }
        return m.toByteArray();
    }
}
