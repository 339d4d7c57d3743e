package org.cnnj.cls;

import org.cnnj.nn.Sequential;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling: conv 5×5 (6) → pool 2 → conv 5×5 (16) → pool 2 → FC 120 →
 * FC 84 → FC classes. Unpadded convolutions, as in the original, so its dense form equals classifying every crop
 * exactly. Shapes: x [N, C, S, S] → features [N, 16, ((S−4)/2−4)/2, …] → logits [N, classes].
 */
final class LeNet5 extends ClassifierNetwork {
    private final Sequential features;

    LeNet5(ClassifierConfig c, Rng rng) {
        super(c, Pooling.FLATTEN, rng);
        int c1 = c.scaled(6), c2 = c.scaled(16);
        this.features = child(
                "features",
                new Sequential()
                        .add(Layers.conv(c.inputChannels(), c1, 5, 1, 0, true, rng))
                        .add(Relu::apply)
                        .add(Layers.maxPool(2, 2, 0))
                        .add(Layers.conv(c1, c2, 5, 1, 0, true, rng))
                        .add(Relu::apply)
                        .add(Layers.maxPool(2, 2, 0)));
        int h1 = c.scaled(120), h2 = c.scaled(84);
        fullyConnected("classifier.0", headInputs(), h1, 0f, true, rng);
        fullyConnected("classifier.2", h1, h2, (float) c.dropout(), true, rng);
        fullyConnected("classifier.4", h2, c.classes().size(), (float) c.dropout(), false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        return features.forward(x);
    }
}
