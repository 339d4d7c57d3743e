package org.cnnj.nn;

import org.cnnj.ops.ConvParams;
import org.cnnj.ops.GlobalAvgPool;
import org.cnnj.ops.Multiply;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Sigmoid;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Squeeze-and-excitation: channel weights s = σ(W2·relu(W1·GAP(x))) (1×1 convs, C → C/r → C) then
 * y = x ⊙ s per channel. Shapes: x [N, C, H, W] → y same.
 */
public final class SqueezeExcitation extends Module {
    private final Conv2d squeeze, excite;

    public SqueezeExcitation(int channels, int reduction, Rng rng) {
        int hidden = Math.max(1, channels / reduction);
        this.squeeze =
                child("squeeze", new Conv2d(channels, hidden, 1, ConvParams.of(1, 0), true, Init.HE_NORMAL, rng));
        this.excite =
                child("excite", new Conv2d(hidden, channels, 1, ConvParams.of(1, 0), true, Init.XAVIER_UNIFORM, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor s = Sigmoid.apply(excite.forward(Relu.apply(squeeze.forward(GlobalAvgPool.apply(x)))));
        return Multiply.apply(x, s);
    }
}
