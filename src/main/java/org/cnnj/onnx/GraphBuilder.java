package org.cnnj.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.tensor.Trace;

/**
 * Nodes of an ONNX graph being written, with the shape of every float value (the training graph's shapes are fixed:
 * one batch size, one patch size), so that gradient rules can size their outputs and reductions.
 */
final class GraphBuilder {
    final List<Protobuf> nodes = new ArrayList<>();
    final Map<String, Protobuf> initializers = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new HashMap<>();
    private final Map<String, long[]> longConstants = new HashMap<>();
    private int counter;

    /** A new value name (t0, t1, … or {@code prefix}N). */
    String fresh(String prefix) {
        return prefix + counter++;
    }

    void declare(String name, int[] shape) {
        shapes.put(name, shape.clone());
    }

    int[] shape(String name) {
        int[] s = shapes.get(name);
        if (s == null) throw new IllegalStateException("training graph: no shape known for value " + name);
        return s.clone();
    }

    /** Emits one node with one float output of {@code shape}; returns the output's name. */
    String op(String type, Map<String, Object> attributes, int[] shape, String... inputs) {
        String out = fresh("g");
        return opNamed(out, type, attributes, shape, inputs);
    }

    String opNamed(String out, String type, Map<String, Object> attributes, int[] shape, String... inputs) {
        nodes.add(OnnxProto.node(type, inputs, new String[] {out}, attributes));
        if (shape != null) declare(out, shape);
        return out;
    }

    /** Emits a node with several outputs, named here; {@code shapes[i]} null for a non-float output. */
    String[] ops(String type, Map<String, Object> attributes, int[][] outShapes, String... inputs) {
        String[] outs = new String[outShapes.length];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = fresh("g");
            if (outShapes[i] != null) declare(outs[i], outShapes[i]);
        }
        nodes.add(OnnxProto.node(type, inputs, outs, attributes));
        return outs;
    }

    String op(String type, int[] shape, String... inputs) {
        return op(type, Trace.attrs(), shape, inputs);
    }

    /** Channels [from, from + count) of {@code x} (axis 1). */
    String channels(String x, int from, int count) {
        int[] s = shape(x);
        s[1] = count;
        return op("Slice", s, x, longs(from), longs(from + count), longs(1));
    }

    /**
     * Binary cross-entropy of logits x against targets t, per value, in the stable form of loss.BceWithLogits: max(x,
     * 0) − x·t + log(1 + e^−|x|); its gradient is σ(x) − t.
     */
    String binaryCrossEntropy(String x, String t) {
        int[] s = shape(x);
        return op(
                "Add",
                s,
                op("Sub", s, op("Relu", s, x), op("Mul", s, x, t)),
                op("Softplus", s, op("Neg", s, op("Abs", s, x))));
    }

    /** A float constant of {@code shape} (a scalar when the shape is empty). */
    String constant(float[] values, int... shape) {
        String name = fresh("c");
        initializers.put(name, OnnxProto.floatTensor(name, shape, values));
        declare(name, shape);
        return name;
    }

    String scalar(float value) {
        return constant(new float[] {value});
    }

    /** An int64 vector constant (shapes, axes, starts and ends). */
    String longs(long... values) {
        String name = fresh("c");
        initializers.put(name, OnnxProto.longTensor(name, values));
        longConstants.put(name, values.clone());
        return name;
    }

    void rememberLongs(String name, long[] values) {
        longConstants.put(name, values.clone());
    }

    /** The values of an int64 constant input (a Slice's starts, a Reshape's shape). */
    long[] longsOf(String name) {
        long[] v = longConstants.get(name);
        if (v == null) throw new IllegalStateException("training graph: " + name + " is not a known int64 constant");
        return v.clone();
    }

    static long[] longs(int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) l[i] = values[i];
        return l;
    }
}
