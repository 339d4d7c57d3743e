package org.cnnj.cls;

import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Module;
import org.cnnj.nn.Sequential;
import org.cnnj.ops.Add;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * MobileNet v2 (Sandler et al. 2018) as torchvision builds it: a 3×3 stride-2 conv (32), 17 inverted residual blocks
 * (1×1 expansion ×t → ReLU6, 3×3 depthwise → ReLU6, linear 1×1 projection; a skip where input and output match), a
 * 1×1 conv to 1280, global average pool, dropout, FC. Channels are rounded to multiples of 8 as torchvision's
 * _make_divisible does. Crops under 64 px keep the first stride at 1. Shapes: x [N, C, S, S] → [N, 1280, S/32, S/32].
 */
final class MobileNetV2 extends ClassifierNetwork {
    /** t (expansion), c (channels), n (repeats), s (first stride): the paper's table 2. */
    private static final int[][] SETTINGS = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
    };

    private final Sequential features;

    MobileNetV2(ClassifierConfig c, Rng rng) {
        super(c, Pooling.GLOBAL_AVERAGE, rng);
        int in = divisible(32 * c.width()), last = divisible(1280 * Math.max(1.0, c.width()));
        Sequential f = new Sequential()
                .add(Layers.convBnAct(
                        Layers.conv(c.inputChannels(), in, 3, c.imagenetStem() ? 2 : 1, 1, false, rng), in, true));
        for (int[] s : SETTINGS) {
            int out = divisible(s[1] * c.width());
            for (int i = 0; i < s[2]; i++) {
                f.add(new InvertedResidual(in, out, i == 0 ? s[3] : 1, s[0], rng));
                in = out;
            }
        }
        f.add(Layers.convBnAct(Layers.conv(in, last, 1, 1, 0, false, rng), last, true));
        this.features = child("features", f);
        fullyConnected("classifier.1", headInputs(), c.classes().size(), (float) c.dropout(), false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        return features.forward(x);
    }

    /** torchvision's _make_divisible(v, 8): the nearest multiple of 8, at least 8, never below 90% of v. */
    static int divisible(double v) {
        int rounded = Math.max(8, (int) (v + 4) / 8 * 8);
        return rounded < 0.9 * v ? rounded + 8 : rounded;
    }

    /** "conv": [1×1 expand → BN → ReLU6 (if t > 1)], 3×3 depthwise → BN → ReLU6, 1×1 project, BN; + x if shapes match. */
    static final class InvertedResidual extends Module {
        private final Sequential conv;
        private final boolean residual;

        InvertedResidual(int in, int out, int stride, int expansion, Rng rng) {
            int hidden = (int) Math.round((double) in * expansion);
            Sequential s = new Sequential();
            if (expansion != 1) s.add(Layers.convBnAct(Layers.conv(in, hidden, 1, 1, 0, false, rng), hidden, true));
            s.add(Layers.convBnAct(Layers.depthwise(hidden, stride, rng), hidden, true));
            s.add(Layers.conv(hidden, out, 1, 1, 0, false, rng)).add(new BatchNorm2d(out));
            this.conv = child("conv", s);
            this.residual = stride == 1 && in == out;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = conv.forward(x);
            return residual ? Add.apply(x, y) : y;
        }
    }
}
