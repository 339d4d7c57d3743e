package org.cnnj.cls;

import org.cnnj.nn.Sequential;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * MobileNet v1 (Howard et al. 2017): a 3×3 stride-2 convolution, then 13 depthwise-separable blocks (3×3
 * depthwise conv → BN → ReLU, 1×1 pointwise conv → BN → ReLU), global average pool, FC. The width multiplier is the
 * paper's α. Crops under 64 px keep the first stride at 1. Shapes: x [N, C, S, S] → [N, 1024α, S/32, S/32] → logits.
 */
final class MobileNetV1 extends ClassifierNetwork {
    /** Output channels and stride of each depthwise-separable block. */
    private static final int[][] BLOCKS = {
        {64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1},
        {1024, 2}, {1024, 1}
    };

    private final Sequential features;

    MobileNetV1(ClassifierConfig c, Rng rng) {
        super(c, Pooling.GLOBAL_AVERAGE, rng);
        int in = c.scaled(32);
        Sequential f = new Sequential()
                .add(Layers.convBnAct(
                        Layers.conv(c.inputChannels(), in, 3, c.imagenetStem() ? 2 : 1, 1, false, rng), in, false));
        for (int[] b : BLOCKS) {
            int out = c.scaled(b[0]);
            f.add(new Sequential()
                    .add(Layers.convBnAct(Layers.depthwise(in, b[1], rng), in, false))
                    .add(Layers.convBnAct(Layers.conv(in, out, 1, 1, 0, false, rng), out, false)));
            in = out;
        }
        this.features = child("features", f);
        fullyConnected("classifier.1", headInputs(), c.classes().size(), (float) c.dropout(), false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        return features.forward(x);
    }
}
