package org.cnnj.seg;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.ConvBnRelu;
import org.cnnj.nn.ConvTranspose2d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.nn.ResidualBlock;
import org.cnnj.nn.Sequential;
import org.cnnj.ops.Concat;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Dropout;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.PoolParams;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * U-Net (Ronneberger et al. 2015) with same-padding convs. Shapes: x [N, inChannels, H, W] with H, W
 * divisible by 2^depth → logits [N, classes, H, W]. Parameter names: enc{i}.*, bottom.*, up{i}.*,
 * dec{i}.*, head.*.
 */
public final class UNet extends Module {
    public final UNetConfig config;
    private final List<Module> encoders = new ArrayList<>(), ups = new ArrayList<>(), decoders = new ArrayList<>();
    private final Module bottom;
    private final Conv2d head;
    private final Rng dropoutRng;

    public UNet(UNetConfig config, Rng rng) {
        this.config = config;
        int in = config.inChannels();
        for (int i = 0; i < config.depth(); i++) {
            encoders.add(child("enc" + i, level(in, config.filters(i), rng)));
            in = config.filters(i);
        }
        this.bottom = child("bottom", level(in, config.filters(config.depth()), rng));
        for (int i = config.depth() - 1; i >= 0; i--) {
            ups.add(child("up" + i, ConvTranspose2d.upsample2x(config.filters(i + 1), config.filters(i), rng)));
            decoders.add(child("dec" + i, level(2 * config.filters(i), config.filters(i), rng)));
        }
        this.head = child(
                "head",
                new Conv2d(
                        config.filters(0), config.classes(), 1, ConvParams.of(1, 0), true, Init.XAVIER_UNIFORM, rng));
        this.dropoutRng = rng.split();
    }

    private Module level(int in, int out, Rng rng) {
        if (config.residual()) return new ResidualBlock(in, out, 1, config.batchNorm(), rng);
        return new Sequential()
                .add(new ConvBnRelu(in, out, 3, ConvParams.of(1, 1), config.batchNorm(), true, rng))
                .add(new ConvBnRelu(out, out, 3, ConvParams.of(1, 1), config.batchNorm(), true, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        List<Tensor> skips = new ArrayList<>();
        for (Module enc : encoders) {
            x = enc.forward(x);
            skips.add(x);
            x = MaxPool2d.apply(x, PoolParams.of(2));
        }
        x = Dropout.apply(bottom.forward(x), config.dropout(), isTraining(), true, dropoutRng);
        for (int k = 0; k < decoders.size(); k++) {
            Tensor up = ups.get(k).forward(x);
            x = decoders.get(k).forward(Concat.channels(skips.get(skips.size() - 1 - k), up));
        }
        return head.forward(x);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != config.inChannels()) {
            throw new IllegalArgumentException("U-Net: input " + x + " must be [N, " + config.inChannels()
                    + ", H, W]: this model was" + " trained on " + config.inChannels()
                    + "-channel images; convert the image (e.g. split or merge channels)");
        }
        int m = config.sizeMultiple();
        if (x.dim(2) % m != 0 || x.dim(3) % m != 0) {
            throw new IllegalArgumentException(
                    "U-Net: input size " + x.dim(2) + "x" + x.dim(3) + " must be a multiple of " + m
                            + " (2^depth); pad or crop the image or tile to a multiple of " + m);
        }
    }

    /** Multiply-accumulates of one forward pass for an input of the given size (convs only). */
    public static long forwardMacs(UNetConfig c, int n, int h, int w) {
        long macs = 0;
        int in = c.inChannels();
        for (int i = 0; i <= c.depth(); i++) {
            long pixels = (long) n * (h >> i) * (w >> i);
            int out = c.filters(i);
            macs += pixels * 9L * (in * out + out * out);
            if (i < c.depth()) {
                macs += pixels * 9L * (2L * out * out + out * out); // decoder level i: 2f→f then f→f
                macs += pixels * 4L * c.filters(i + 1) * out / 4; // transposed conv f(i+1)→f(i), k=2, s=2
            }
            in = out;
        }
        macs += (long) n * h * w * c.filters(0) * c.classes();
        return macs;
    }
}
