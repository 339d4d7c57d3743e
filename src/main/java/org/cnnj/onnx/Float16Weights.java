package org.cnnj.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnj.io.AtomicFiles;

/**
 * Halves an ONNX model's file: each large float initializer (a convolution's or fully connected layer's weights) is
 * stored as FLOAT16 and turned back into float by a Cast node named as the weight was, so every op still computes in
 * float and the graph's nodes are unchanged. ONNX Runtime folds the casts once when it loads the model (no cost per
 * image); {@link OnnxModelInfo} folds them too, so the Java engine and fine-tuning see float weights of the old names.
 * Small tensors (biases, batch-norm statistics, whose variances may lie below half's normal range) stay float.
 * Any ONNX file can be converted, not only CNN-J's: other fields are copied unchanged.
 */
public final class Float16Weights {
    /** Initializers with fewer values stay float: they weigh little and include batch-norm variances. */
    public static final int MIN_VALUES = 1024;

    static final int FLOAT16 = 10;
    private static final String SUFFIX = "_float16";

    /** The converted model, and how many initializers (and values) became FLOAT16. */
    public record Result(byte[] model, int tensors, long values) {}

    private Float16Weights() {}

    /** Converts {@code in} to {@code out} (via a temporary file: nothing half-written on failure). */
    public static Result convert(Path in, Path out) throws IOException {
        OnnxModelInfo.read(in); // a clear message for a file that is not ONNX
        Result r = convert(Files.readAllBytes(in));
        AtomicFiles.write(out, o -> o.write(r.model()));
        return r;
    }

    public static Result convert(byte[] model) {
        ProtobufReader r = new ProtobufReader(ByteBuffer.wrap(model));
        Protobuf out = new Protobuf();
        int[] tensors = {0};
        long[] values = {0};
        while (r.more()) {
            int start = r.position(), tag = r.tag();
            if (tag >>> 3 == 7 && (tag & 7) == 2) {
                out.message(7, graph(r.message(), tensors, values));
            } else {
                r.skip(tag);
                out.raw(r.since(start));
            }
        }
        return new Result(out.toByteArray(), tensors[0], values[0]);
    }

    /** The graph with its large float initializers as FLOAT16, each cast back by a node placed before all others. */
    private static Protobuf graph(ProtobufReader graph, int[] tensors, long[] values) {
        List<byte[]> fields = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        Set<String> inputs = new HashSet<>(), names = new HashSet<>();
        for (ProtobufReader g = graph; g.more(); ) {
            int start = g.position(), tag = g.tag();
            if ((tag >>> 3 == 11 || tag >>> 3 == 12) && (tag & 7) == 2) inputs.add(valueName(g.message()));
            else g.skip(tag);
            fields.add(g.since(start));
            numbers.add(tag >>> 3);
        }
        Tensor[] initializers = new Tensor[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            if (numbers.get(i) != 5) continue;
            initializers[i] = Tensor.parse(fields.get(i));
            names.add(initializers[i].name);
        }
        Protobuf casts = new Protobuf(), rest = new Protobuf();
        for (int i = 0; i < fields.size(); i++) {
            Tensor t = initializers[i];
            if (t == null || !t.convertible() || inputs.contains(t.name)) {
                rest.raw(fields.get(i));
                continue;
            }
            String half = t.name + SUFFIX;
            while (names.contains(half)) half += "_";
            names.add(half);
            rest.message(5, t.asFloat16(half));
            casts.message(1, OnnxProto.node("Cast", new String[] {half}, new String[] {t.name}, Map.of("to", 1L)));
            tensors[0]++;
            values[0] += t.values.length;
        }
        return new Protobuf().raw(casts.toByteArray()).raw(rest.toByteArray());
    }

    private static String valueName(ProtobufReader value) {
        while (value.more()) {
            int t = value.tag();
            if (t >>> 3 == 1 && (t & 7) == 2) return value.string();
            value.skip(t);
        }
        return "";
    }

    /** An initializer field (tag and TensorProto) as far as conversion needs it. */
    private record Tensor(String name, int type, long[] dims, float[] values, boolean external) {
        static Tensor parse(byte[] field) {
            ProtobufReader outer = new ProtobufReader(ByteBuffer.wrap(field));
            outer.tag();
            ProtobufReader r = outer.message();
            List<Long> dims = new ArrayList<>();
            String name = "";
            int type = 0;
            boolean external = false;
            byte[] raw = null;
            List<Float> floats = new ArrayList<>();
            while (r.more()) {
                int t = r.tag(), f = t >>> 3, wire = t & 7;
                if (f == 1 && wire == 2) {
                    for (ProtobufReader p = r.message(); p.more(); ) dims.add(p.varint());
                } else if (f == 1 && wire == 0) dims.add(r.varint());
                else if (f == 2 && wire == 0) type = (int) r.varint();
                else if (f == 8 && wire == 2) name = r.string();
                else if (f == 9 && wire == 2) raw = r.bytes();
                else if (f == 4 && wire == 2) {
                    ByteBuffer b = ByteBuffer.wrap(r.bytes()).order(ByteOrder.LITTLE_ENDIAN);
                    while (b.remaining() >= 4) floats.add(b.getFloat());
                } else if (f == 4 && wire == 5) floats.add(r.float32());
                else if (f == 14 && wire == 0) external = r.varint() == 1;
                else r.skip(t);
            }
            float[] values;
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
            return new Tensor(
                    name, type, dims.stream().mapToLong(Long::longValue).toArray(), values, external);
        }

        /** Float, large, stored in the file, and every value finite and within half's range. */
        boolean convertible() {
            if (type != OnnxProto.FLOAT || external || values.length < MIN_VALUES || name.isEmpty()) return false;
            for (float v : values) if (!(Math.abs(v) <= Float16.MAX)) return false;
            return true;
        }

        Protobuf asFloat16(String newName) {
            ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) b.putShort(Float16.fromFloat(v));
            return new Protobuf()
                    .packedInt64(1, dims)
                    .varint(2, FLOAT16)
                    .string(8, newName)
                    .bytes(9, b.array());
        }
    }
}
