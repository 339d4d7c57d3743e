package org.cnnj.nn;

import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Convolution;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/** Convolution layer: weight [CO, C/G, K, K] initialized by {@link Init}, bias [CO] zero (optional). */
public final class Conv2d extends Module {
    public final Tensor weight, bias;
    public final ConvParams params;

    public Conv2d(int in, int out, int kernel, ConvParams params, boolean bias, Init init, Rng rng) {
        if (in % params.groups() != 0)
            throw new IllegalArgumentException("conv: groups " + params.groups() + " must divide in channels " + in);
        this.params = params;
        this.weight = param("weight", Tensor.zeros(out, in / params.groups(), kernel, kernel));
        init.fill(weight, rng);
        this.bias = bias ? param("bias", Tensor.zeros(out)) : null;
    }

    /** Same-size output for odd kernels: padding k/2, stride 1, He init, with bias. */
    public Conv2d(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, ConvParams.of(1, kernel / 2), true, Init.HE_NORMAL, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.apply(x, weight, bias, params);
    }
}
