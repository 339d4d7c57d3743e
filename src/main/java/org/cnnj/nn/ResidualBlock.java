package org.cnnj.nn;

import org.cnnj.ops.Add;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * ResNet basic block: relu(x' + bn(conv(relu(bn(conv(x)))))) where x' is x itself (identity skip)
 * or a 1×1 conv + BN projection when channels or stride change.
 */
public final class ResidualBlock extends Module {
    private final ConvBnRelu first, second;
    private final ConvBnRelu projection;

    public ResidualBlock(int in, int out, int stride, boolean batchNorm, Rng rng) {
        this.first = child("conv1", new ConvBnRelu(in, out, 3, ConvParams.of(stride, 1), batchNorm, true, rng));
        this.second = child("conv2", new ConvBnRelu(out, out, 3, ConvParams.of(1, 1), batchNorm, false, rng));
        this.projection = in != out || stride != 1
                ? child("skip", new ConvBnRelu(in, out, 1, ConvParams.of(stride, 0), batchNorm, false, rng))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor skip = projection == null ? x : projection.forward(x);
        return Relu.apply(Add.apply(skip, second.forward(first.forward(x))));
    }
}
