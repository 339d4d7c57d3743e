package org.cnnj.nn;

import org.cnnj.ops.Conv3dParams;
import org.cnnj.ops.Convolution3d;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Rng;

/**
 * Volume conv (same size: padding kernel/2 per axis) → batch norm over (N, D, H, W) → ReLU: the 3-D U-Net's unit.
 * Kernels per axis, e.g. (1, 3, 3) where z is much coarser than xy.
 */
public final class ConvBnRelu3d extends Module {
    public final Conv3d conv;
    public final BatchNorm2d bn;

    public ConvBnRelu3d(int in, int out, int[] kernel, Rng rng) {
        int[] pad = {kernel[0] / 2, kernel[1] / 2, kernel[2] / 2};
        this.conv = child(
                "conv",
                new Conv3d(in, out, kernel, Conv3dParams.of(new int[] {1, 1, 1}, pad), true, Init.HE_NORMAL, rng));
        this.bn = child("bn", new BatchNorm2d(out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return normalized(conv.forward(x));
    }

    /**
     * forward(concat(parts along channels)) without the concatenation at inference ({@link
     * Convolution3d#applyToChannels}): a decoder level's skip and upsampled volume.
     */
    public Tensor forwardOnChannels(Tensor... parts) {
        return normalized(Convolution3d.applyToChannels(parts, conv.weight, conv.bias, conv.params));
    }

    /**
     * Batch norm and ReLU in one pass (training); at inference over the convolution's own output; export keeps
     * separate BatchNormalization and Relu nodes.
     */
    private Tensor normalized(Tensor y) {
        return Trace.active() ? Relu.apply(bn.forward(y)) : bn.forwardWithReluOver(y);
    }
}
