package org.cnnj.cls;

import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Module;
import org.cnnj.ops.Concat;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * DenseNet (Huang et al. 2017) as torchvision builds it: stem conv0/norm0/pool0 (3×3 stride-1 conv without pool
 * for crops under 64 px), dense blocks whose layers (BN → ReLU → 1×1 conv to 4k → BN → ReLU → 3×3 conv to k)
 * concatenate k new channels each, transitions (BN → ReLU → 1×1 conv halving the channels → 2×2 average pool),
 * final norm5 → ReLU → global average pool → FC. DenseNet-121: k = 32, blocks 6/12/24/16, 64 stem channels (the
 * width multiplies k and the stem). Shapes: x [N, C, S, S] → features [N, F, S/32, S/32] → logits [N, classes].
 */
final class DenseNet extends ClassifierNetwork {
    private static final int BN_SIZE = 4;

    private final Conv2d conv0;
    private final BatchNorm2d norm0, norm5;
    private final Module[] stages;
    private final boolean imagenetStem;

    DenseNet(ClassifierConfig c, int[] blocks, Rng rng) {
        super(c, Pooling.GLOBAL_AVERAGE, rng);
        this.imagenetStem = c.imagenetStem();
        int growth = c.scaled(32), channels = c.scaled(64);
        this.conv0 = child(
                "features.conv0",
                imagenetStem
                        ? Layers.conv(c.inputChannels(), channels, 7, 2, 3, false, rng)
                        : Layers.conv(c.inputChannels(), channels, 3, 1, 1, false, rng));
        this.norm0 = child("features.norm0", new BatchNorm2d(channels));
        this.stages = new Module[2 * blocks.length - 1];
        for (int b = 0; b < blocks.length; b++) {
            DenseBlock block = new DenseBlock(channels, blocks[b], growth, rng);
            stages[2 * b] = child("features.denseblock" + (b + 1), block);
            channels += blocks[b] * growth;
            if (b < blocks.length - 1) {
                stages[2 * b + 1] = child("features.transition" + (b + 1), new Transition(channels, channels / 2, rng));
                channels /= 2;
            }
        }
        this.norm5 = child("features.norm5", new BatchNorm2d(channels));
        fullyConnected("classifier", headInputs(), c.classes().size(), 0f, false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        Tensor y = Relu.apply(norm0.forward(conv0.forward(x)));
        if (imagenetStem) y = Layers.maxPool(3, 2, 1).apply(y);
        for (Module stage : stages) y = stage.forward(y);
        return Relu.apply(norm5.forward(y));
    }

    /** Layers "denselayer1"…: each adds {@code growth} channels computed from all before it. */
    static final class DenseBlock extends Module {
        private final DenseLayer[] layers;

        DenseBlock(int in, int count, int growth, Rng rng) {
            layers = new DenseLayer[count];
            for (int i = 0; i < count; i++)
                layers[i] = child("denselayer" + (i + 1), new DenseLayer(in + i * growth, growth, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            for (DenseLayer l : layers) x = Concat.channels(x, l.forward(x));
            return x;
        }
    }

    /** BN → ReLU → 1×1 conv (4k) → BN → ReLU → 3×3 conv (k): the k new channels. */
    static final class DenseLayer extends Module {
        private final BatchNorm2d norm1, norm2;
        private final Conv2d conv1, conv2;

        DenseLayer(int in, int growth, Rng rng) {
            this.norm1 = child("norm1", new BatchNorm2d(in));
            this.conv1 = child("conv1", Layers.conv(in, BN_SIZE * growth, 1, 1, 0, false, rng));
            this.norm2 = child("norm2", new BatchNorm2d(BN_SIZE * growth));
            this.conv2 = child("conv2", Layers.conv(BN_SIZE * growth, growth, 3, 1, 1, false, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return conv2.forward(Relu.apply(norm2.forward(conv1.forward(Relu.apply(norm1.forward(x))))));
        }
    }

    /** BN → ReLU → 1×1 conv → 2×2 average pool: halves channels and size between blocks. */
    static final class Transition extends Module {
        private final BatchNorm2d norm;
        private final Conv2d conv;

        Transition(int in, int out, Rng rng) {
            this.norm = child("norm", new BatchNorm2d(in));
            this.conv = child("conv", Layers.conv(in, out, 1, 1, 0, false, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Layers.avgPool(2, 2).apply(conv.forward(Relu.apply(norm.forward(x))));
        }
    }
}
