package org.cnnj.nn;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.ops.Concat;
import org.cnnj.ops.ConvParams;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * DenseNet-style block: each of {@code layers} conv-BN-ReLU units sees the concatenation of the
 * block input and all earlier units' outputs and adds {@code growth} channels.
 * Output channels: in + layers × growth.
 */
public final class DenseBlock extends Module {
    private final List<ConvBnRelu> units = new ArrayList<>();
    public final int outChannels;

    public DenseBlock(int in, int growth, int layers, boolean batchNorm, Rng rng) {
        int channels = in;
        for (int i = 0; i < layers; i++) {
            units.add(child(
                    "unit" + i, new ConvBnRelu(in + i * growth, growth, 3, ConvParams.of(1, 1), batchNorm, true, rng)));
            channels += growth;
        }
        this.outChannels = channels;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor features = x;
        for (ConvBnRelu unit : units) features = Concat.channels(features, unit.forward(features));
        return features;
    }
}
