package org.cnnj.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.cnnj.tensor.Tensor;

/** Runs its steps in order. Steps are modules (named "0", "1", …) or parameter-free functions. */
public final class Sequential extends Module {
    private final List<UnaryOperator<Tensor>> steps = new ArrayList<>();

    public Sequential add(Module m) {
        child(Integer.toString(steps.size()), m);
        steps.add(m::forward);
        return this;
    }

    /** A parameter-free step such as Relu::apply; it still takes an index so module names stay stable. */
    public Sequential add(UnaryOperator<Tensor> f) {
        steps.add(f);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        for (UnaryOperator<Tensor> s : steps) x = s.apply(x);
        return x;
    }
}
