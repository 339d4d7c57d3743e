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

    public static final int FLOAT16 = 10;
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
            if ((tag >>> 3 == 11 || tag >>> 3 == 12) && (tag & 7) == 2)
                inputs.add(g.message().stringField(1));
            else g.skip(tag);
            fields.add(g.since(start));
            numbers.add(tag >>> 3);
        }
        OnnxModelInfo.Initializer[] initializers = new OnnxModelInfo.Initializer[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            if (numbers.get(i) != 5) continue;
            initializers[i] = initializer(fields.get(i));
            names.add(initializers[i].name());
        }
        Protobuf casts = new Protobuf(), rest = new Protobuf();
        for (int i = 0; i < fields.size(); i++) {
            OnnxModelInfo.Initializer t = initializers[i];
            if (t == null || !convertible(t) || inputs.contains(t.name())) {
                rest.raw(fields.get(i));
                continue;
            }
            String half = t.name() + SUFFIX;
            while (names.contains(half)) half += "_";
            names.add(half);
            rest.message(5, asFloat16(t, half));
            casts.message(1, OnnxProto.node("Cast", new String[] {half}, new String[] {t.name()}, Map.of("to", (long)
                    OnnxProto.FLOAT)));
            tensors[0]++;
            values[0] += t.floats().length;
        }
        return new Protobuf().raw(casts.toByteArray()).raw(rest.toByteArray());
    }

    /** An initializer field (tag and TensorProto), read as {@link OnnxModelInfo} reads initializers. */
    private static OnnxModelInfo.Initializer initializer(byte[] field) {
        ProtobufReader outer = new ProtobufReader(ByteBuffer.wrap(field));
        outer.tag();
        return OnnxModelInfo.Initializer.read(outer.message());
    }

    /** Float, large, stored in the file, and every value finite and within half's range. */
    private static boolean convertible(OnnxModelInfo.Initializer t) {
        if (t.type() != OnnxProto.FLOAT
                || t.external()
                || t.floats().length < MIN_VALUES
                || t.name().isEmpty()) return false;
        for (float v : t.floats()) if (!(Math.abs(v) <= Float16.MAX)) return false;
        return true;
    }

    private static Protobuf asFloat16(OnnxModelInfo.Initializer t, String name) {
        ByteBuffer b = ByteBuffer.allocate(2 * t.floats().length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.floats()) b.putShort(Float16.fromFloat(v));
        return new Protobuf()
                .packedInt64(1, t.dims())
                .varint(2, FLOAT16)
                .string(8, name)
                .bytes(9, b.array());
    }
}
