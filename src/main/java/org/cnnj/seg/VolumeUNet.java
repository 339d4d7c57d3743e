package org.cnnj.seg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.nn.Conv3d;
import org.cnnj.nn.ConvBnRelu3d;
import org.cnnj.nn.ConvTranspose3d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.nn.Sequential;
import org.cnnj.ops.Conv3dParams;
import org.cnnj.ops.MaxPool3d;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * 3-D U-Net (Çiçek et al. 2016) with nnU-Net's handling of anisotropic voxels ({@link VolumeUNetConfig}). Shapes: x
 * [N, C, D, H, W] with D, H, W multiples of {@link VolumeUNetConfig#sizeMultiple()} → [N, outputs, D, H, W].
 * Parameter names: enc{i}.*, bottom.*, up{i}.*, dec{i}.*, head.*.
 */
public final class VolumeUNet extends Module {
    public final VolumeUNetConfig config;
    private final List<Module> encoders = new ArrayList<>(), ups = new ArrayList<>();
    /** Each decoder level's two blocks (children dec{i}.0 and dec{i}.1): the first reads the skip and the upsampled volume. */
    private final List<ConvBnRelu3d[]> decoders = new ArrayList<>();

    private final Module bottom;
    private final Conv3d head;

    public VolumeUNet(VolumeUNetConfig config, Rng rng) {
        this.config = config;
        int in = config.inChannels();
        for (int i = 0; i < config.depth(); i++) {
            encoders.add(child("enc" + i, level(blocks(in, config.filters(i), config.kernel(i), rng))));
            in = config.filters(i);
        }
        int d = config.depth();
        this.bottom = child("bottom", level(blocks(in, config.filters(d), config.kernel(d), rng)));
        for (int i = d - 1; i >= 0; i--) {
            ups.add(child(
                    "up" + i, ConvTranspose3d.upsample(config.filters(i + 1), config.filters(i), config.pool(i), rng)));
            ConvBnRelu3d[] blocks = blocks(2 * config.filters(i), config.filters(i), config.kernel(i), rng);
            child("dec" + i, level(blocks));
            decoders.add(blocks);
        }
        this.head = child(
                "head",
                new Conv3d(
                        config.filters(0),
                        config.outputs(),
                        new int[] {1, 1, 1},
                        Conv3dParams.of(1, 0),
                        true,
                        Init.XAVIER_UNIFORM,
                        rng));
    }

    /** A level's two units: in → out, out → out (made in this order: the same random numbers as always). */
    private static ConvBnRelu3d[] blocks(int in, int out, int[] kernel, Rng rng) {
        ConvBnRelu3d first = new ConvBnRelu3d(in, out, kernel, rng);
        return new ConvBnRelu3d[] {first, new ConvBnRelu3d(out, out, kernel, rng)};
    }

    /** The two units as one module: children "0" and "1" (the parameter names enc{i}.0.*, dec{i}.1.*, …). */
    private static Module level(ConvBnRelu3d[] blocks) {
        return new Sequential().add(blocks[0]).add(blocks[1]);
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        List<Tensor> skips = new ArrayList<>();
        for (int i = 0; i < encoders.size(); i++) {
            x = encoders.get(i).forward(x);
            skips.add(x);
            x = MaxPool3d.apply(x, config.pool(i), config.pool(i));
        }
        x = bottom.forward(x);
        for (int k = 0; k < decoders.size(); k++) {
            Tensor up = ups.get(k).forward(x);
            Tensor skip = skips.set(skips.size() - 1 - k, null); // not held past its level
            ConvBnRelu3d[] blocks = decoders.get(k);
            // concat(skip, up) → conv, without the concatenation at inference
            x = blocks[1].forward(blocks[0].forwardOnChannels(skip, up));
        }
        return head.forward(x);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 5 || x.dim(1) != config.inChannels()) {
            throw new IllegalArgumentException("3-D U-Net: input " + x + " must be [N, " + config.inChannels()
                    + ", D, H, W] (a volume with " + config.inChannels() + " channel(s))");
        }
        int[] m = config.sizeMultiple();
        for (int a = 0; a < 3; a++) {
            if (x.dim(2 + a) % m[a] != 0) {
                throw new IllegalArgumentException("3-D U-Net: input size " + x.dim(2) + "x" + x.dim(3) + "x"
                        + x.dim(4) + " (d, h, w) must be a multiple of " + Arrays.toString(m)
                        + "; tile or pad the volume to a multiple");
            }
        }
    }
}
