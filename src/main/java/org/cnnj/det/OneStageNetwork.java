package org.cnnj.det;

import java.util.List;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.ConvBnRelu;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.nn.ResidualBlock;
import org.cnnj.ops.Add;
import org.cnnj.ops.Concat;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Reshape;
import org.cnnj.ops.Upsample;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * The network of a one-stage detector ({@link OneStageConfig}). Shapes: image [N, C, H, W] (H, W multiples of 16) →
 * per pyramid level [N, K + 5, H/s, W/s] for s = 8, 16: K class logits, a centre-ness logit, and l, t, r, b as
 * log-distances in strides (distance = e^value · s). Backbone: conv stem, four stages of two residual blocks (the
 * first of each with stride 2); pyramid: 1×1 laterals, the stride-16 level upsampled (nearest) and added into the
 * stride-8 one; the head (two 3×3 conv-BN-ReLU, then one 1×1 conv) is shared by both levels, as FCOS shares it.
 */
public final class OneStageNetwork extends Module {
    public final OneStageConfig config;
    private final Module stem, s1a, s1b, s2a, s2b, s3a, s3b, s4a, s4b, lateral8, lateral16, head1, head2;
    private final Conv2d out;

    public OneStageNetwork(OneStageConfig config, Rng rng) {
        this.config = config;
        int[] w = config.widths();
        int p = config.pyramid();
        stem = child("stem", new ConvBnRelu(config.inputChannels(), w[0], 3, rng));
        s1a = child("stage1a", new ResidualBlock(w[0], w[1], 2, true, rng));
        s1b = child("stage1b", new ResidualBlock(w[1], w[1], 1, true, rng));
        s2a = child("stage2a", new ResidualBlock(w[1], w[2], 2, true, rng));
        s2b = child("stage2b", new ResidualBlock(w[2], w[2], 1, true, rng));
        s3a = child("stage3a", new ResidualBlock(w[2], w[3], 2, true, rng));
        s3b = child("stage3b", new ResidualBlock(w[3], w[3], 1, true, rng));
        s4a = child("stage4a", new ResidualBlock(w[3], w[4], 2, true, rng));
        s4b = child("stage4b", new ResidualBlock(w[4], w[4], 1, true, rng));
        lateral8 = child("lateral8", new Conv2d(w[3], p, 1, ConvParams.of(1, 0), true, Init.HE_UNIFORM, rng));
        lateral16 = child("lateral16", new Conv2d(w[4], p, 1, ConvParams.of(1, 0), true, Init.HE_UNIFORM, rng));
        head1 = child("head1", new ConvBnRelu(p, p, 3, ConvParams.of(1, 1), true, true, rng));
        head2 = child("head2", new ConvBnRelu(p, p, 3, ConvParams.of(1, 1), true, true, rng));
        out = child("out", new Conv2d(p, config.outputs(), 1, ConvParams.of(1, 0), true, Init.XAVIER_UNIFORM, rng));
        priors();
    }

    /**
     * Starting outputs that train stably (RetinaNet's prior): every class at probability 0.01 (a dense detector's
     * locations are nearly all background), distances near one stride.
     */
    private void priors() {
        float[] bias = out.bias.data(), weight = out.weight.data();
        int k = config.classCount(), in = config.pyramid();
        for (int c = 0; c < k; c++) bias[c] = (float) -Math.log((1 - 0.01) / 0.01);
        for (int c = k + 1; c < k + 5; c++) for (int i = 0; i < in; i++) weight[c * in + i] *= 0.1f;
    }

    /** The stride-8 level's output (the whole pyramid: {@link #levels}). */
    @Override
    public Tensor forward(Tensor x) {
        return levels(x).get(0);
    }

    /** Per level, fine to coarse: [N, K + 5, H/8, W/8] and [N, K + 5, H/16, W/16]. */
    public List<Tensor> levels(Tensor x) {
        Tensor c2 = s2b.forward(s2a.forward(s1b.forward(s1a.forward(stem.forward(x)))));
        Tensor c3 = s3b.forward(s3a.forward(c2));
        Tensor c4 = s4b.forward(s4a.forward(c3));
        Tensor p16 = lateral16.forward(c4);
        Tensor p8 = Add.apply(lateral8.forward(c3), Upsample.apply(p16, 2, Upsample.Mode.NEAREST));
        return List.of(head(p8), head(p16));
    }

    /**
     * Every level's outputs end to end along the positions, [N, K + 5, H/8·W/8 + H/16·W/16] (row-major within a
     * level): the one tensor the ONNX Runtime training step scores ({@link OneStageTargets#flat} lays the targets out
     * alike).
     */
    public Tensor flat(Tensor x) {
        List<Tensor> levels = levels(x);
        Tensor[] parts = new Tensor[levels.size()];
        for (int l = 0; l < parts.length; l++) {
            Tensor o = levels.get(l);
            parts[l] = Reshape.apply(o, o.dim(0), o.dim(1), o.dim(2) * o.dim(3));
        }
        return Concat.along(2, parts);
    }

    private Tensor head(Tensor p) {
        return out.forward(head2.forward(head1.forward(p)));
    }
}
