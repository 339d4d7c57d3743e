package org.cnnj.cls;

import org.cnnj.nn.Sequential;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * AlexNet (Krizhevsky et al. 2012) as torchvision has it: five convolutions with ReLU, overlapping 3×3 stride-2
 * max-pools, dropout before the two 4096-wide FC layers. Crops under 64 px start with a 5×5 stride-1 convolution
 * instead of 11×11 stride 4. Shapes: x [N, C, S, S] → features [N, 256, s, s] (s = 6 at 224) → logits [N, classes].
 */
final class AlexNet extends ClassifierNetwork {
    private final Sequential features;

    AlexNet(ClassifierConfig c, Rng rng) {
        super(c, Pooling.FLATTEN, rng);
        int c1 = c.scaled(64), c2 = c.scaled(192), c3 = c.scaled(384), c4 = c.scaled(256), c5 = c.scaled(256);
        Sequential f = new Sequential()
                .add(
                        c.imagenetStem()
                                ? Layers.conv(c.inputChannels(), c1, 11, 4, 2, true, rng)
                                : Layers.conv(c.inputChannels(), c1, 5, 1, 2, true, rng))
                .add(Relu::apply)
                .add(Layers.maxPool(3, 2, 0))
                .add(Layers.conv(c1, c2, 5, 1, 2, true, rng))
                .add(Relu::apply)
                .add(Layers.maxPool(3, 2, 0))
                .add(Layers.conv(c2, c3, 3, 1, 1, true, rng))
                .add(Relu::apply)
                .add(Layers.conv(c3, c4, 3, 1, 1, true, rng))
                .add(Relu::apply)
                .add(Layers.conv(c4, c5, 3, 1, 1, true, rng))
                .add(Relu::apply)
                .add(Layers.maxPool(3, 2, 0));
        this.features = child("features", f);
        int hidden = c.scaled(4096);
        float p = (float) c.dropout();
        fullyConnected("classifier.1", headInputs(), hidden, p, true, rng);
        fullyConnected("classifier.4", hidden, hidden, p, true, rng);
        fullyConnected("classifier.6", hidden, c.classes().size(), 0f, false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        return features.forward(x);
    }
}
