package org.cnnj.cls;

import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Module;
import org.cnnj.nn.Sequential;
import org.cnnj.nn.SqueezeExcitation;
import org.cnnj.ops.Add;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * ResNet (He et al. 2016) as torchvision builds it: stem (7×7 stride-2 conv, BN, ReLU, 3×3 stride-2 max-pool; a 3×3
 * stride-1 conv for crops under 64 px), four stages of basic (ResNet-18/34) or bottleneck (ResNet-50, stride in the
 * 3×3 conv as in torchvision's "v1.5") blocks with 1×1 projection shortcuts where the shape changes, global average
 * pool, one FC layer. With squeeze-excitation (Hu et al. 2018, reduction 16) each block reweights its channels before
 * the addition. Shapes: x [N, C, S, S] → features [N, 512·e, S/32, S/32] (e = 1 basic, 4 bottleneck) → [N, classes].
 */
final class ResNet extends ClassifierNetwork {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Sequential[] layers = new Sequential[4];
    private final boolean imagenetStem;

    ResNet(ClassifierConfig c, int[] blocks, boolean bottleneck, boolean squeezeExcitation, Rng rng) {
        super(c, Pooling.GLOBAL_AVERAGE, rng);
        this.imagenetStem = c.imagenetStem();
        int width = c.scaled(64);
        this.conv1 = child(
                "conv1",
                imagenetStem
                        ? Layers.conv(c.inputChannels(), width, 7, 2, 3, false, rng)
                        : Layers.conv(c.inputChannels(), width, 3, 1, 1, false, rng));
        this.bn1 = child("bn1", new BatchNorm2d(width));
        int expansion = bottleneck ? 4 : 1, in = width;
        for (int stage = 0; stage < 4; stage++) {
            int planes = c.scaled(64 << stage);
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                layer.add(
                        bottleneck
                                ? new BottleneckBlock(in, planes, stride, squeezeExcitation, rng)
                                : new BasicBlock(in, planes, stride, squeezeExcitation, rng));
                in = planes * expansion;
            }
            layers[stage] = child("layer" + (stage + 1), layer);
        }
        fullyConnected("fc", headInputs(), c.classes().size(), 0f, false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        Tensor y = Relu.apply(bn1.forward(conv1.forward(x)));
        if (imagenetStem) y = Layers.maxPool(3, 2, 1).apply(y);
        for (Sequential layer : layers) y = layer.forward(y);
        return y;
    }

    /** The shortcut: identity, or "downsample" = 1×1 conv (stride) + BN where channels or size change. */
    private static Sequential downsample(int in, int out, int stride, Rng rng) {
        if (stride == 1 && in == out) return null;
        return new Sequential()
                .add(Layers.conv(in, out, 1, stride, 0, false, rng))
                .add(new BatchNorm2d(out));
    }

    /** conv 3×3 (stride) → BN → ReLU → conv 3×3 → BN (→ SE), + shortcut, ReLU. */
    static final class BasicBlock extends Module {
        private final Conv2d conv1, conv2;
        private final BatchNorm2d bn1, bn2;
        private final SqueezeExcitation se;
        private final Sequential downsample;

        BasicBlock(int in, int planes, int stride, boolean squeezeExcitation, Rng rng) {
            this.conv1 = child("conv1", Layers.conv(in, planes, 3, stride, 1, false, rng));
            this.bn1 = child("bn1", new BatchNorm2d(planes));
            this.conv2 = child("conv2", Layers.conv(planes, planes, 3, 1, 1, false, rng));
            this.bn2 = child("bn2", new BatchNorm2d(planes));
            this.se = squeezeExcitation ? child("se", new SqueezeExcitation(planes, 16, rng)) : null;
            Sequential d = downsample(in, planes, stride, rng);
            this.downsample = d == null ? null : child("downsample", d);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = bn2.forward(conv2.forward(Relu.apply(bn1.forward(conv1.forward(x)))));
            if (se != null) y = se.forward(y);
            return Relu.apply(Add.apply(y, downsample == null ? x : downsample.forward(x)));
        }
    }

    /** conv 1×1 → BN → ReLU → conv 3×3 (stride) → BN → ReLU → conv 1×1 (4× planes) → BN (→ SE), + shortcut, ReLU. */
    static final class BottleneckBlock extends Module {
        private final Conv2d conv1, conv2, conv3;
        private final BatchNorm2d bn1, bn2, bn3;
        private final SqueezeExcitation se;
        private final Sequential downsample;

        BottleneckBlock(int in, int planes, int stride, boolean squeezeExcitation, Rng rng) {
            int out = planes * 4;
            this.conv1 = child("conv1", Layers.conv(in, planes, 1, 1, 0, false, rng));
            this.bn1 = child("bn1", new BatchNorm2d(planes));
            this.conv2 = child("conv2", Layers.conv(planes, planes, 3, stride, 1, false, rng));
            this.bn2 = child("bn2", new BatchNorm2d(planes));
            this.conv3 = child("conv3", Layers.conv(planes, out, 1, 1, 0, false, rng));
            this.bn3 = child("bn3", new BatchNorm2d(out));
            this.se = squeezeExcitation ? child("se", new SqueezeExcitation(out, 16, rng)) : null;
            Sequential d = downsample(in, out, stride, rng);
            this.downsample = d == null ? null : child("downsample", d);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = Relu.apply(bn1.forward(conv1.forward(x)));
            y = Relu.apply(bn2.forward(conv2.forward(y)));
            y = bn3.forward(conv3.forward(y));
            if (se != null) y = se.forward(y);
            return Relu.apply(Add.apply(y, downsample == null ? x : downsample.forward(x)));
        }
    }
}
