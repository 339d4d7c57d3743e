package org.cnnj.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.tensor.Tensor;

/**
 * A layer or network: named parameters (trainable tensors), buffers (state that is saved but not
 * trained, e.g. batch-norm running statistics) and child modules. Names are dotted paths
 * ("enc0.conv1.weight"), the keys of checkpoints and of exported ONNX initializers.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor x);

    protected final Tensor param(String name, Tensor t) {
        t.requiresGrad(true);
        params.put(name, t);
        return t;
    }

    protected final float[] buffer(String name, float[] values) {
        buffers.put(name, values);
        return values;
    }

    protected final <M extends Module> M child(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** All parameters of this module and its children, in registration order, by dotted name. */
    public final Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, null);
        return out;
    }

    /** All buffers by dotted name; arrays are live (loading a checkpoint writes into them). */
    public final Map<String, float[]> buffers() {
        Map<String, float[]> out = new LinkedHashMap<>();
        collect("", null, out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> ps, Map<String, float[]> bs) {
        if (ps != null) params.forEach((k, v) -> ps.put(prefix + k, v));
        if (bs != null) buffers.forEach((k, v) -> bs.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", ps, bs));
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Training mode (batch statistics, dropout on) or evaluation mode, for this module and all below. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
    }

    /** Stops (or resumes) training of all parameters below: used to fine-tune with a frozen encoder. */
    public final void setFrozen(boolean frozen) {
        parameters().values().forEach(t -> t.requiresGrad(!frozen));
    }

    public final long parameterCount() {
        long n = 0;
        for (Tensor t : parameters().values()) n += t.size();
        return n;
    }

    public final long trainableParameterCount() {
        long n = 0;
        for (Tensor t : parameters().values()) if (t.requiresGrad()) n += t.size();
        return n;
    }
}
