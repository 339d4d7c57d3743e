package org.cnnj.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What CNN-J needs to know about an ONNX file without running it: graph inputs/outputs with their
 * shapes (a dimension is a number, or -1 when symbolic), opset, metadata, and the float initializers
 * (weights) by name. Reads the protobuf wire format directly (see {@link Protobuf} for why), and
 * turns a file that is not ONNX, or was cut short, into a message that says so.
 */
public record OnnxModelInfo(
        List<Value> inputs,
        List<Value> outputs,
        long opset,
        Map<String, String> metadata,
        Map<String, float[]> weights,
        Map<String, long[]> weightShapes,
        List<Node> nodes,
        Map<String, long[]> integerWeights) {
    /** A graph input or output: name and dims (-1 = symbolic, e.g. "N"). */
    public record Value(String name, long[] dims, int elementType) {}

    /** A tensor-valued attribute (a Constant node's value): its dims and its values, floats or 64-bit integers. */
    public record TensorValue(long[] dims, float[] floats, long[] integers) {}

    /**
     * A graph node in file order (ONNX requires topological order): attributes as Long, Float, String, long[],
     * float[] or {@link TensorValue}.
     */
    public record Node(String opType, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {
        public long integer(String name, long fallback) {
            return attributes.get(name) instanceof Long l ? l : fallback;
        }

        public float number(String name, float fallback) {
            return attributes.get(name) instanceof Float f ? f : fallback;
        }

        public long[] integers(String name, long[] fallback) {
            return attributes.get(name) instanceof long[] l ? l : fallback;
        }

        public float[] floats(String name) {
            return attributes.get(name) instanceof float[] f ? f : null;
        }
    }

    public static OnnxModelInfo read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("model file " + file + " does not exist; check the path", e);
        }
        try {
            return parse(bytes);
        } catch (RuntimeException e) {
            throw new IOException(
                    file + " is not a valid ONNX model (" + e.getMessage() + "); it may be truncated or another"
                            + " kind of file: export it again, or copy it completely",
                    e);
        }
    }

    static OnnxModelInfo parse(byte[] bytes) {
        ProtobufReader model = new ProtobufReader(ByteBuffer.wrap(bytes));
        List<Value> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>(), integers = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        long opset = -1;
        boolean sawGraph = false;
        while (model.more()) {
            int tag = model.tag(), field = tag >>> 3;
            if (field == 7 && (tag & 7) == 2) {
                sawGraph = true;
                ProtobufReader graph = model.message();
                while (graph.more()) {
                    int gt = graph.tag(), gf = gt >>> 3;
                    if (gf == 1 && (gt & 7) == 2) nodes.add(readNode(graph.message()));
                    else if (gf == 5 && (gt & 7) == 2) readInitializer(graph.message(), weights, shapes, integers);
                    else if (gf == 11 && (gt & 7) == 2) inputs.add(readValue(graph.message()));
                    else if (gf == 12 && (gt & 7) == 2) outputs.add(readValue(graph.message()));
                    else graph.skip(gt);
                }
            } else if (field == 8 && (tag & 7) == 2) {
                ProtobufReader op = model.message();
                String domain = "";
                long version = -1;
                while (op.more()) {
                    int t = op.tag();
                    if (t >>> 3 == 1 && (t & 7) == 2) domain = op.string();
                    else if (t >>> 3 == 2 && (t & 7) == 0) version = op.varint();
                    else op.skip(t);
                }
                if (domain.isEmpty() || domain.equals("ai.onnx")) opset = version;
            } else if (field == 14 && (tag & 7) == 2) {
                ProtobufReader kv = model.message();
                String k = "", v = "";
                while (kv.more()) {
                    int t = kv.tag();
                    if (t >>> 3 == 1) k = kv.string();
                    else if (t >>> 3 == 2) v = kv.string();
                    else kv.skip(t);
                }
                metadata.put(k, v);
            } else {
                model.skip(tag);
            }
        }
        if (!sawGraph) throw new IllegalArgumentException("no graph found");
        // Initializers may also be listed as graph inputs (older exporters); they are not real inputs.
        inputs.removeIf(v -> weights.containsKey(v.name()) || shapes.containsKey(v.name()));
        resolveIdentityAliases(nodes, weights, shapes, integers);
        return new OnnxModelInfo(inputs, outputs, opset, metadata, weights, shapes, nodes, integers);
    }

    /**
     * PyTorch's exporter stores equal initializers once (zero biases, fresh batch-norm statistics) and gives the
     * other users an Identity of it. Each such output becomes an initializer of its own (a copy: the parameters were
     * distinct in the model and may diverge in fine-tuning), and the Identity node goes. So does a Cast to float of
     * a weight stored as FLOAT16 ({@link Float16Weights}): the weight takes the cast's name, and the half-precision
     * initializer goes when nothing else reads it.
     */
    private static void resolveIdentityAliases(
            List<Node> nodes, Map<String, float[]> weights, Map<String, long[]> shapes, Map<String, long[]> integers) {
        List<String> cast = new ArrayList<>();
        nodes.removeIf(n -> {
            boolean toFloat = n.opType().equals("Cast") && n.integer("to", 0) == OnnxProto.FLOAT;
            if (!(n.opType().equals("Identity") || toFloat)
                    || n.inputs().isEmpty()
                    || n.outputs().isEmpty()) return false;
            String from = n.inputs().get(0), to = n.outputs().get(0);
            if (weights.containsKey(from)) weights.put(to, weights.get(from).clone());
            else if (integers.containsKey(from) && !toFloat)
                integers.put(to, integers.get(from).clone());
            else return false;
            if (shapes.containsKey(from)) shapes.put(to, shapes.get(from).clone());
            if (toFloat) cast.add(from);
            return true;
        });
        for (String from : cast) {
            if (nodes.stream().noneMatch(n -> n.inputs().contains(from))) {
                weights.remove(from);
                shapes.remove(from);
            }
        }
    }

    private static Node readNode(ProtobufReader r) {
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        String op = "";
        Map<String, Object> attributes = new LinkedHashMap<>();
        while (r.more()) {
            int t = r.tag(), f = t >>> 3;
            if (f == 1 && (t & 7) == 2) in.add(r.string());
            else if (f == 2 && (t & 7) == 2) out.add(r.string());
            else if (f == 4 && (t & 7) == 2) op = r.string();
            else if (f == 5 && (t & 7) == 2) readAttribute(r.message(), attributes);
            else r.skip(t);
        }
        return new Node(op, in, out, attributes);
    }

    private static void readAttribute(ProtobufReader r, Map<String, Object> into) {
        String name = "";
        Object value = null;
        List<Long> ints = new ArrayList<>();
        List<Float> floats = new ArrayList<>();
        while (r.more()) {
            int t = r.tag(), f = t >>> 3, wire = t & 7;
            if (f == 1 && wire == 2) name = r.string();
            else if (f == 2 && wire == 5) value = r.float32();
            else if (f == 3 && wire == 0) value = r.varint();
            else if (f == 4 && wire == 2) value = r.string();
            else if (f == 5 && wire == 2) value = tensor(r.message());
            else if (f == 7 && wire == 5) floats.add(r.float32());
            else if (f == 7 && wire == 2) {
                ProtobufReader packed = r.message();
                while (packed.more()) floats.add(packed.float32());
            } else if (f == 8 && wire == 0) ints.add(r.varint());
            else if (f == 8 && wire == 2) {
                ProtobufReader packed = r.message();
                while (packed.more()) ints.add(packed.varint());
            } else r.skip(t);
        }
        if (!ints.isEmpty()) value = ints.stream().mapToLong(Long::longValue).toArray();
        if (!floats.isEmpty()) {
            float[] v = new float[floats.size()];
            for (int i = 0; i < v.length; i++) v[i] = floats.get(i);
            value = v;
        }
        if (value != null) into.put(name, value);
    }

    private static Value readValue(ProtobufReader r) {
        String name = "";
        List<Long> dims = new ArrayList<>();
        int elem = 0;
        while (r.more()) {
            int t = r.tag();
            if (t >>> 3 == 1 && (t & 7) == 2) {
                name = r.string();
            } else if (t >>> 3 == 2 && (t & 7) == 2) {
                ProtobufReader type = r.message();
                while (type.more()) {
                    int tt = type.tag();
                    if (tt >>> 3 != 1 || (tt & 7) != 2) {
                        type.skip(tt);
                        continue;
                    }
                    ProtobufReader tensor = type.message();
                    while (tensor.more()) {
                        int x = tensor.tag();
                        if (x >>> 3 == 1 && (x & 7) == 0) {
                            elem = (int) tensor.varint();
                        } else if (x >>> 3 == 2 && (x & 7) == 2) {
                            ProtobufReader shape = tensor.message();
                            while (shape.more()) {
                                int s = shape.tag();
                                if (s >>> 3 != 1 || (s & 7) != 2) {
                                    shape.skip(s);
                                    continue;
                                }
                                ProtobufReader dim = shape.message();
                                long value = -1;
                                while (dim.more()) {
                                    int d = dim.tag();
                                    if (d >>> 3 == 1 && (d & 7) == 0) value = dim.varint();
                                    else dim.skip(d);
                                }
                                dims.add(value);
                            }
                        } else {
                            tensor.skip(x);
                        }
                    }
                }
            } else {
                r.skip(t);
            }
        }
        return new Value(name, dims.stream().mapToLong(Long::longValue).toArray(), elem);
    }

    /** A serialized TensorProto (e.g. the input_0.pb of ONNX's backend tests). */
    static TensorValue tensorProto(byte[] bytes) {
        return tensor(new ProtobufReader(ByteBuffer.wrap(bytes)));
    }

    /** A TensorProto: float (1) or int64 (7) values, raw or packed; other types keep their dims only. */
    private static TensorValue tensor(ProtobufReader r) {
        Initializer t = Initializer.read(r);
        return new TensorValue(t.dims(), t.floats(), t.integers());
    }

    private static void readInitializer(
            ProtobufReader r, Map<String, float[]> weights, Map<String, long[]> shapes, Map<String, long[]> integers) {
        Initializer t = Initializer.read(r);
        shapes.put(t.name(), t.dims());
        if (t.integers() != null) integers.put(t.name(), t.integers());
        if (t.floats() != null) weights.put(t.name(), t.floats());
    }

    /**
     * One TensorProto: float (1) and FLOAT16 (10, decoded to float) values in {@code floats}, int64 (7) values in
     * {@code integers}, raw or packed; other types keep their dims only (both null); {@code external}: its data lies
     * in another file (not read).
     */
    record Initializer(String name, int type, long[] dims, float[] floats, long[] integers, boolean external) {
        static Initializer read(ProtobufReader r) {
            List<Long> dims = new ArrayList<>();
            String name = "";
            int type = 0;
            boolean external = false;
            byte[] raw = null;
            List<Float> floats = new ArrayList<>();
            List<Long> ints = new ArrayList<>(), halves = new ArrayList<>();
            while (r.more()) {
                int t = r.tag(), f = t >>> 3;
                if (f == 1 && (t & 7) == 2) {
                    ProtobufReader packed = r.message();
                    while (packed.more()) dims.add(packed.varint());
                } else if (f == 1 && (t & 7) == 0) {
                    dims.add(r.varint());
                } else if (f == 2 && (t & 7) == 0) {
                    type = (int) r.varint();
                } else if (f == 8 && (t & 7) == 2) {
                    name = r.string();
                } else if (f == 9 && (t & 7) == 2) {
                    raw = r.bytes();
                } else if (f == 4 && (t & 7) == 2) {
                    ByteBuffer b = ByteBuffer.wrap(r.bytes()).order(ByteOrder.LITTLE_ENDIAN);
                    while (b.remaining() >= 4) floats.add(b.getFloat());
                } else if (f == 4 && (t & 7) == 5) {
                    floats.add(r.float32());
                } else if (f == 5 && (t & 7) == 2) { // int32_data: FLOAT16 values as their bits, when not raw
                    ProtobufReader packed = r.message();
                    while (packed.more()) halves.add(packed.varint());
                } else if (f == 5 && (t & 7) == 0) {
                    halves.add(r.varint());
                } else if (f == 7 && (t & 7) == 2) {
                    ProtobufReader packed = r.message();
                    while (packed.more()) ints.add(packed.varint());
                } else if (f == 7 && (t & 7) == 0) {
                    ints.add(r.varint());
                } else if (f == 14 && (t & 7) == 0) {
                    external = r.varint() == 1; // data_location EXTERNAL
                } else {
                    r.skip(t);
                }
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            float[] values = null;
            long[] integers = null;
            if (type == OnnxProto.INT64) { // shapes, axes, indices of shape computations
                if (raw != null) {
                    integers = new long[raw.length / 8];
                    ByteBuffer.wrap(raw)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .asLongBuffer()
                            .get(integers);
                } else {
                    integers = ints.stream().mapToLong(Long::longValue).toArray();
                }
            } else if (type == Float16Weights.FLOAT16) { // stored as half (Float16Weights), computed as float
                values = new float[raw != null ? raw.length / 2 : halves.size()];
                ByteBuffer b = raw != null ? ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN) : null;
                for (int i = 0; i < values.length; i++)
                    values[i] = Float16.toFloat(b != null ? b.getShort() : (short) (long) halves.get(i));
            } else if (type == OnnxProto.FLOAT) {
                if (raw != null) {
                    values = new float[raw.length / 4];
                    ByteBuffer.wrap(raw)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer()
                            .get(values);
                } else {
                    values = new float[floats.size()];
                    for (int i = 0; i < values.length; i++) values[i] = floats.get(i);
                }
            }
            return new Initializer(name, type, shape, values, integers, external);
        }
    }
}
