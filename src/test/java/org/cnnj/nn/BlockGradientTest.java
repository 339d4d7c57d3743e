package org.cnnj.nn;

import static org.cnnj.testing.GradCheck.check;
import static org.cnnj.testing.GradCheck.uniform;

import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Whole blocks (composition of ops, parameters included) against finite differences. */
class BlockGradientTest {
    private final Rng rng = new Rng(4);

    private static Tensor[] withParams(Tensor x, Module m) {
        Tensor[] all = new Tensor[1 + m.parameters().size()];
        all[0] = x;
        int i = 1;
        for (Tensor p : m.parameters().values()) all[i++] = p;
        return all;
    }

    @Test
    void residualSqueezeExcitationDenseAndBottleneck() {
        Module[] blocks = {
            new ResidualBlock(3, 4, 2, false, rng),
            new SqueezeExcitation(4, 2, rng),
            new DenseBlock(2, 2, 2, false, rng),
            new Bottleneck(4, 2, 4, false, rng),
        };
        int[] channels = {3, 4, 2, 4};
        for (int b = 0; b < blocks.length; b++) {
            Module m = blocks[b];
            check(
                    m.getClass().getSimpleName(),
                    t -> m.forward(t[0]),
                    withParams(uniform(rng, 2, channels[b], 5, 4), m));
        }
    }

    @Test
    void smallUNetEndToEnd() {
        UNet net = new UNet(new UNetConfig(1, 2, 1, 2, false, false, 0f), rng);
        check("unet", t -> net.forward(t[0]), withParams(uniform(rng, 1, 1, 4, 4), net));
    }
}
