package org.cnnj.nn;

import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/** conv → batch norm (optional) → ReLU (optional); the workhorse of every block. */
public final class ConvBnRelu extends Module {
    public final Conv conv;
    public final BatchNorm bn;
    private final boolean relu;

    public ConvBnRelu(int in, int out, int kernel, ConvParams params, boolean batchNorm, boolean relu, Rng rng) {
        this.conv = child("conv", new Conv(in, out, kernel, params, true, Init.HE_NORMAL, rng));
        this.bn = batchNorm ? child("bn", new BatchNorm(out)) : null;
        this.relu = relu;
    }

    /** 3×3 (or k×k) same-size conv, BN, ReLU. */
    public ConvBnRelu(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, ConvParams.of(1, kernel / 2), true, true, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = conv.forward(x);
        if (bn != null) y = bn.forward(y);
        return relu ? Relu.apply(y) : y;
    }
}
