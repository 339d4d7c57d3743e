package org.cnnj.nn;

import org.cnnj.ops.Addmm;
import org.cnnj.ops.Reshape;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/** Fully connected layer: weight [OUT, IN] (Xavier by default), bias [OUT] zero. Input [N, IN]. */
public final class Linear extends Module {
    public final Tensor weight, bias;

    public Linear(int in, int out, Init init, Rng rng) {
        this.weight = param("weight", Tensor.zeros(out, in));
        init.fill(weight, rng);
        this.bias = param("bias", Tensor.zeros(out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Addmm.apply(x.rank() == 2 ? x : Reshape.apply(x, x.dim(0), -1), weight, bias);
    }
}
