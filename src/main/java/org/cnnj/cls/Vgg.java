package org.cnnj.cls;

import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Sequential;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * VGG (Simonyan and Zisserman 2014): stacks of 3×3 convolutions (optionally with batch norm) between 2×2 max-pools,
 * then two 4096-wide FC layers with dropout. Configurations as torchvision's cfgs ("A" = VGG-11, "B" = VGG-13, "D" = VGG-16, "E" = VGG-19; 0 marks
 * a pool). The FC head reads the flattened final map (512×7×7 at 224, as torchvision's adaptive pool gives there).
 * Shapes: x [N, C, S, S] → features [N, 512, S/32, S/32] → logits [N, classes].
 */
final class Vgg extends ClassifierNetwork {
    static final int[] A = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    static final int[] B = {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    static final int[] D = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    static final int[] E = {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0
    };

    private final Sequential features;

    Vgg(ClassifierConfig c, int[] cfg, boolean batchNorm, Rng rng) {
        super(c, Pooling.FLATTEN, rng);
        Sequential f = new Sequential();
        int in = c.inputChannels();
        for (int v : cfg) {
            if (v == 0) {
                f.add(Layers.maxPool(2, 2, 0));
                continue;
            }
            int out = c.scaled(v);
            f.add(Layers.conv(in, out, 3, 1, 1, true, rng));
            if (batchNorm) f.add(new BatchNorm2d(out));
            f.add(Relu::apply);
            in = out;
        }
        this.features = child("features", f);
        int hidden = c.scaled(4096);
        float p = (float) c.dropout();
        fullyConnected("classifier.0", headInputs(), hidden, 0f, true, rng);
        fullyConnected("classifier.3", hidden, hidden, p, true, rng);
        fullyConnected("classifier.6", hidden, c.classes().size(), p, false, rng);
    }

    @Override
    protected Tensor features(Tensor x) {
        return features.forward(x);
    }
}
