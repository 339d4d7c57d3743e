package org.cnnj.nn;

import org.cnnj.ops.ConvParams;
import org.cnnj.ops.TransposedConvolution;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/** Transposed convolution layer (learned up-sampling): weight [C, CO/G, K, K], bias [CO]. */
public final class ConvTranspose2d extends Module {
    public final Tensor weight, bias;
    public final ConvParams params;

    public ConvTranspose2d(int in, int out, int kernel, ConvParams params, boolean bias, Init init, Rng rng) {
        this.params = params;
        this.weight = param("weight", Tensor.zeros(in, out / params.groups(), kernel, kernel));
        init.fill(weight, rng);
        this.bias = bias ? param("bias", Tensor.zeros(out)) : null;
    }

    /** The U-Net up step: kernel 2, stride 2, doubles height and width. */
    public static ConvTranspose2d upsample2x(int in, int out, Rng rng) {
        return new ConvTranspose2d(in, out, 2, ConvParams.of(2, 0), true, Init.HE_NORMAL, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return TransposedConvolution.apply(x, weight, bias, params);
    }
}
