package org.cnnj.nn;

import org.cnnj.ops.Conv3dParams;
import org.cnnj.ops.Convolution3d;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * 3-D convolution layer: weight [CO, C/G, KD, KH, KW] initialized by {@link Init}, bias [CO] zero (optional). Kernels
 * may differ per axis, e.g. (1, 3, 3) in-plane only while z is coarser than xy.
 */
public final class Conv3d extends Module {
    public final Tensor weight, bias;
    public final Conv3dParams params;

    public Conv3d(int in, int out, int[] kernel, Conv3dParams params, boolean bias, Init init, Rng rng) {
        if (kernel.length != 3) throw new IllegalArgumentException("conv3d: the kernel takes three sizes (d, h, w)");
        if (in % params.groups() != 0)
            throw new IllegalArgumentException("conv3d: groups " + params.groups() + " must divide in channels " + in);
        this.params = params;
        this.weight = param("weight", Tensor.zeros(out, in / params.groups(), kernel[0], kernel[1], kernel[2]));
        init.fill(weight, rng);
        this.bias = bias ? param("bias", Tensor.zeros(out)) : null;
    }

    /** Same-size output for an odd kernel (k, k, k): padding k/2, stride 1, He init, with bias. */
    public Conv3d(int in, int out, int kernel, Rng rng) {
        this(in, out, new int[] {kernel, kernel, kernel}, Conv3dParams.of(1, kernel / 2), true, Init.HE_NORMAL, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution3d.apply(x, weight, bias, params);
    }
}
