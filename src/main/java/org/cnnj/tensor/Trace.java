package org.cnnj.tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Records the ops of one forward pass (per thread) so a model can be exported to ONNX without
 * export code in every module. Each op that has an ONNX equivalent reports itself after computing
 * its output: ONNX op type, inputs (tensors, constant float[] buffers such as batch-norm statistics,
 * long[] constants, a Float for a scalar constant, or "" for an omitted optional input) and attributes (Integer, Float, String,
 * long[] or float[]). An op with no ONNX equivalent calls {@link #unsupported} and the export fails
 * with its name.
 */
public final class Trace {
    /** Receives the recorded nodes. */
    public interface Recorder {
        void node(String opType, Tensor output, Map<String, Object> attributes, Object... inputs);
    }

    private static final ThreadLocal<Recorder> ACTIVE = new ThreadLocal<>();

    private Trace() {}

    public static boolean active() {
        return ACTIVE.get() != null;
    }

    public static void record(String opType, Tensor output, Map<String, Object> attributes, Object... inputs) {
        Recorder r = ACTIVE.get();
        if (r != null) r.node(opType, output, attributes, inputs);
    }

    /** Records {@code output} as the result of an ONNX node (when tracing) and returns it. */
    public static Tensor traced(Tensor output, String opType, Map<String, Object> attributes, Object... inputs) {
        record(opType, output, attributes, inputs);
        return output;
    }

    public static void unsupported(String op) {
        if (active()) {
            throw new UnsupportedOperationException(
                    op + " cannot be exported to ONNX (no equivalent op is implemented);"
                            + " build the model from exportable layers or export only the part before it");
        }
    }

    /** Runs {@code body} with {@code recorder} receiving every op this thread computes. */
    public static <T> T with(Recorder recorder, Supplier<T> body) {
        Recorder previous = ACTIVE.get();
        ACTIVE.set(recorder);
        try {
            return body.get();
        } finally {
            ACTIVE.set(previous);
        }
    }

    /** Attribute map builder: {@code attrs("axis", 1, "epsilon", 1e-5f)}. */
    public static Map<String, Object> attrs(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }
}
