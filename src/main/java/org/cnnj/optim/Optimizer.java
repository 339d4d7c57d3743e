package org.cnnj.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.tensor.Checks;
import org.cnnj.tensor.Tensor;

/**
 * Updates named parameters from their gradients. Frozen parameters (requiresGrad false) are skipped,
 * so fine-tuning with a frozen encoder needs nothing special. State (momenta, step count) is named
 * "param name/slot" for checkpoints.
 */
public abstract class Optimizer {
    protected final Map<String, Tensor> params;
    protected double lr;
    protected long steps;

    protected Optimizer(Map<String, Tensor> params, double lr) {
        if (!(lr > 0)) throw new IllegalArgumentException("optimizer: learning rate must be > 0, got " + lr);
        this.params = new LinkedHashMap<>(params);
        this.lr = lr;
    }

    public double learningRate() {
        return lr;
    }

    /** Set by a schedule before each step. */
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    public long steps() {
        return steps;
    }

    public void zeroGrad() {
        params.values().forEach(Tensor::zeroGrad);
    }

    /** Applies one update to every trainable parameter that has a gradient, then counts the step. */
    public final void step() {
        steps++;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            if (!p.requiresGrad() || !p.hasGrad()) continue;
            Checks.requireFiniteGradient("optimizer step, parameter " + e.getKey(), p.grad(), p.shape());
            update(e.getKey(), p.data(), p.grad());
        }
    }

    protected abstract void update(String name, float[] w, float[] g);

    /** Slot buffers by "param/slot", plus "step"; arrays are live for loading. */
    public abstract Map<String, float[]> state();

    /** Restores state written by {@link #state()}; missing slots stay zero (e.g. a new layer). */
    public void loadState(Map<String, float[]> saved) {
        Map<String, float[]> mine = state();
        for (Map.Entry<String, float[]> e : saved.entrySet()) {
            if (e.getKey().equals("step")) {
                steps = (long) e.getValue()[0];
                continue;
            }
            float[] dst = mine.get(e.getKey());
            if (dst == null) continue;
            if (dst.length != e.getValue().length) {
                throw new IllegalArgumentException("optimizer state " + e.getKey() + " has " + e.getValue().length
                        + " values but the parameter has " + dst.length
                        + "; the checkpoint belongs to a different model");
            }
            System.arraycopy(e.getValue(), 0, dst, 0, dst.length);
        }
    }

    protected float[] slot(Map<String, float[]> slots, String name, int size) {
        return slots.computeIfAbsent(name, k -> new float[size]);
    }
}
