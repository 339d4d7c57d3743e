package org.cnnj.nn;

import org.cnnj.ops.Conv3dParams;
import org.cnnj.ops.TransposedConvolution3d;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * 3-D transposed convolution layer (learned up-sampling of a volume): weight [C, CO, KD, KH, KW], bias [CO]. The 3-D
 * U-Net's way up uses kernel = stride = its pooling window, e.g. (1, 2, 2) where it pooled only in-plane.
 */
public final class ConvTranspose3d extends Module {
    public final Tensor weight, bias;
    public final Conv3dParams params;

    public ConvTranspose3d(int in, int out, int[] kernel, Conv3dParams params, Init init, Rng rng) {
        if (kernel.length != 3) throw new IllegalArgumentException("conv_transpose3d: the kernel takes three sizes");
        this.params = params;
        this.weight = param("weight", Tensor.zeros(in, out / params.groups(), kernel[0], kernel[1], kernel[2]));
        init.fill(weight, rng);
        this.bias = param("bias", Tensor.zeros(out));
    }

    /** Undoes a pooling window: kernel = stride = {@code window}, no padding. */
    public static ConvTranspose3d upsample(int in, int out, int[] window, Rng rng) {
        return new ConvTranspose3d(in, out, window, Conv3dParams.of(window, new int[3]), Init.HE_NORMAL, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return TransposedConvolution3d.apply(x, weight, bias, params, new int[3]);
    }
}
