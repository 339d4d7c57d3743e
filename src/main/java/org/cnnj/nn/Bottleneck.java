package org.cnnj.nn;

import org.cnnj.ops.Add;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * ResNet bottleneck: 1×1 conv squeezes to {@code width} channels, 3×3 conv works there, 1×1 conv
 * expands to {@code out}; identity skip (1×1 projection when channels differ). Cheap wide blocks.
 */
public final class Bottleneck extends Module {
    private final ConvBnRelu reduce, spatial, expand, projection;

    public Bottleneck(int in, int width, int out, boolean batchNorm, Rng rng) {
        this.reduce = child("reduce", new ConvBnRelu(in, width, 1, ConvParams.of(1, 0), batchNorm, true, rng));
        this.spatial = child("conv", new ConvBnRelu(width, width, 3, ConvParams.of(1, 1), batchNorm, true, rng));
        this.expand = child("expand", new ConvBnRelu(width, out, 1, ConvParams.of(1, 0), batchNorm, false, rng));
        this.projection = in != out
                ? child("skip", new ConvBnRelu(in, out, 1, ConvParams.of(1, 0), batchNorm, false, rng))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor skip = projection == null ? x : projection.forward(x);
        return Relu.apply(Add.apply(skip, expand.forward(spatial.forward(reduce.forward(x)))));
    }
}
