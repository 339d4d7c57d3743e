package org.cnnj.cls;

import java.util.Arrays;
import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Module;
import org.cnnj.nn.Sequential;
import org.cnnj.ops.Concat;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2015) as torchvision builds it, without the auxiliary classifiers:
 * BN'd convolutions, nine Inception blocks whose four branches (1×1; 1×1 → 3×3; 1×1 → 3×3 — torchvision's
 * stand-in for the paper's 5×5; 3×3 max-pool → 1×1) are concatenated, global average pool, dropout, FC.
 * Two departures from torchvision, neither changing a parameter: max-pools pad by 1 instead of ceil_mode (same
 * sizes on even inputs; ONNX export stays plain), and crops under 64 px skip the 7×7 stride-2 stem.
 * Shapes: x [N, C, S, S] → features [N, 1024, S/32, S/32] → logits [N, classes].
 */
final class GoogLeNet extends ClassifierNetwork {
    private final Module conv1, conv2, conv3;
    private final Inception[] stage3, stage4, stage5;
    private final boolean imagenetStem;

    GoogLeNet(ClassifierConfig c, Rng rng) {
        super(c, Pooling.GLOBAL_AVERAGE, rng);
        this.imagenetStem = c.imagenetStem();
        this.conv1 = child(
                "conv1",
                new BasicConv(c.inputChannels(), c.scaled(64), imagenetStem ? 7 : 3, imagenetStem ? 2 : 1, rng));
        this.conv2 = child("conv2", new BasicConv(c.scaled(64), c.scaled(64), 1, 1, rng));
        this.conv3 = child("conv3", new BasicConv(c.scaled(64), c.scaled(192), 3, 1, rng));
        int[][] blocks = { // torchvision's channels: 1×1, 3×3 reduce, 3×3, "5×5" reduce, "5×5", pool projection
            {64, 96, 128, 16, 32, 32},
            {128, 128, 192, 32, 96, 64}, // 3a, 3b
            {192, 96, 208, 16, 48, 64},
            {160, 112, 224, 24, 64, 64},
            {128, 128, 256, 24, 64, 64},
            {112, 144, 288, 32, 64, 64},
            {256, 160, 320, 32, 128, 128}, // 4a–4e
            {256, 160, 320, 32, 128, 128},
            {384, 192, 384, 48, 128, 128} // 5a, 5b
        };
        String[] names = {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"};
        Inception[] all = new Inception[blocks.length];
        int in = c.scaled(192);
        for (int i = 0; i < blocks.length; i++) {
            all[i] = child("inception" + names[i], new Inception(c, in, blocks[i], rng));
            in = all[i].out;
        }
        this.stage3 = Arrays.copyOfRange(all, 0, 2);
        this.stage4 = Arrays.copyOfRange(all, 2, 7);
        this.stage5 = Arrays.copyOfRange(all, 7, 9);
        fullyConnected("fc", headInputs(), c.classes().size(), (float) c.dropout(), false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        Tensor y = conv1.forward(x);
        if (imagenetStem) y = Layers.maxPool(3, 2, 1).apply(y);
        y = Layers.maxPool(3, 2, 1).apply(conv3.forward(conv2.forward(y)));
        for (Inception b : stage3) y = b.forward(y);
        y = Layers.maxPool(3, 2, 1).apply(y);
        for (Inception b : stage4) y = b.forward(y);
        y = Layers.maxPool(2, 2, 0).apply(y);
        for (Inception b : stage5) y = b.forward(y);
        return y;
    }

    /** torchvision's BasicConv2d: conv (no bias, "same" padding) → BN (eps 0.001) → ReLU. */
    static final class BasicConv extends Module {
        private final Conv2d conv;
        private final BatchNorm2d bn;

        BasicConv(int in, int out, int kernel, int stride, Rng rng) {
            this.conv = child("conv", Layers.conv(in, out, kernel, stride, kernel / 2, false, rng));
            this.bn = child("bn", new BatchNorm2d(out, 0.1f, 1e-3f));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Relu.apply(bn.forward(conv.forward(x)));
        }
    }

    /** Four parallel branches over the same input, concatenated along channels. Channel counts at width 1. */
    static final class Inception extends Module {
        private final Module branch1, branch2, branch3, branch4;

        final int out;

        /** {@code ch}: 1×1, 3×3 reduce, 3×3, second reduce, second 3×3, pool projection (standard widths). */
        Inception(ClassifierConfig c, int in, int[] ch, Rng rng) {
            int b1 = c.scaled(ch[0]), b2r = c.scaled(ch[1]), b2 = c.scaled(ch[2]);
            int b3r = c.scaled(ch[3]), b3 = c.scaled(ch[4]), pool = c.scaled(ch[5]);
            this.out = b1 + b2 + b3 + pool;
            this.branch1 = child("branch1", new BasicConv(in, b1, 1, 1, rng));
            this.branch2 = child(
                    "branch2",
                    new Sequential().add(new BasicConv(in, b2r, 1, 1, rng)).add(new BasicConv(b2r, b2, 3, 1, rng)));
            this.branch3 = child(
                    "branch3",
                    new Sequential().add(new BasicConv(in, b3r, 1, 1, rng)).add(new BasicConv(b3r, b3, 3, 1, rng)));
            this.branch4 = child(
                    "branch4", new Sequential().add(Layers.maxPool(3, 1, 1)).add(new BasicConv(in, pool, 1, 1, rng)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Concat.channels(branch1.forward(x), branch2.forward(x), branch3.forward(x), branch4.forward(x));
        }
    }
}
