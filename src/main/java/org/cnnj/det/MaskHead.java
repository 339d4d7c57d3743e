package org.cnnj.det;

import org.cnnj.nn.Conv2d;
import org.cnnj.nn.ConvTranspose2d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * The mask branch of Mask R-CNN: ROI Align crops [K, F, R, R] → convolutions (3×3, ReLU) → 2× transposed convolution
 * (ReLU) → 1×1 convolution → mask logits [K, classes, 2R, 2R], one map per class (the detection's class picks one,
 * so classes do not compete for pixels). Cell (i, j) of a map covers 1/(2R) of the box along each axis.
 */
public final class MaskHead extends Module {
    private final Module[] convs;
    private final ConvTranspose2d up;
    private final Conv2d logits;

    public MaskHead(int featureChannels, int classes, MaskConfig c, Rng rng) {
        convs = new Module[c.convs()];
        for (int i = 0; i < convs.length; i++)
            convs[i] = child("conv" + (i + 1), new Conv2d(i == 0 ? featureChannels : c.width(), c.width(), 3, rng));
        int in = convs.length == 0 ? featureChannels : c.width();
        up = child("up", new ConvTranspose2d(in, c.width(), 2, ConvParams.of(2, 0), true, Init.HE_NORMAL, rng));
        logits =
                child("logits", new Conv2d(c.width(), classes, 1, ConvParams.of(1, 0), true, Init.XAVIER_UNIFORM, rng));
    }

    @Override
    public Tensor forward(Tensor crops) {
        Tensor h = crops;
        for (Module conv : convs) h = Relu.apply(conv.forward(h));
        return logits.forward(Relu.apply(up.forward(h)));
    }
}
