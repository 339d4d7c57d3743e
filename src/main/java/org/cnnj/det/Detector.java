package org.cnnj.det;

import org.cnnj.nn.Conv2d;
import org.cnnj.nn.ConvBnRelu;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.nn.ResidualBlock;
import org.cnnj.ops.ConvParams;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Backbone + Region Proposal Network + box head of a two-stage detector.
 *
 * <p>Shapes: image [N, C, H, W] → features [N, F, H/4, W/4] (conv stem, then two stages of two residual
 * blocks, the first of each with stride 2); RPN: objectness logits [N, A, H/4, W/4] and box deltas
 * [N, 4A, H/4, W/4] (channel 4a+j = delta j of anchor a). The head ({@link DetectorHead}) takes ROI
 * Align crops of the features, and so does the optional mask head ({@link MaskHead}). Receptive field at the RPN: 53 px, enough for objects up to ~50 px.
 */
public final class Detector extends Module {
    /** RPN outputs for a batch. */
    public record Rpn(Tensor objectness, Tensor deltas) {}

    public final DetectorConfig config;
    public final DetectorHead head;
    /** The mask branch (Mask R-CNN), or null for boxes only. */
    public final MaskHead mask;

    public final MaskConfig maskConfig;
    private final Module stem, stage1a, stage1b, stage2a, stage2b, rpnConv, rpnObjectness, rpnDeltas;

    public Detector(DetectorConfig config, Rng rng) {
        this(config, null, rng);
    }

    /** A detector with a mask head of {@code masks} (null: boxes only). */
    public Detector(DetectorConfig config, MaskConfig masks, Rng rng) {
        this.config = config;
        this.maskConfig = masks;
        int[] w = config.widths();
        int a = config.anchorsPerLocation();
        stem = child("stem", new ConvBnRelu(config.inputChannels(), w[0], 3, rng));
        stage1a = child("stage1a", new ResidualBlock(w[0], w[1], 2, true, rng));
        stage1b = child("stage1b", new ResidualBlock(w[1], w[1], 1, true, rng));
        stage2a = child("stage2a", new ResidualBlock(w[1], w[2], 2, true, rng));
        stage2b = child("stage2b", new ResidualBlock(w[2], w[2], 1, true, rng));
        rpnConv = child("rpn_conv", new ConvBnRelu(w[2], w[2], 3, ConvParams.of(1, 1), false, true, rng));
        rpnObjectness =
                child("rpn_objectness", new Conv2d(w[2], a, 1, ConvParams.of(1, 0), true, Init.XAVIER_UNIFORM, rng));
        rpnDeltas =
                child("rpn_deltas", new Conv2d(w[2], 4 * a, 1, ConvParams.of(1, 0), true, Init.XAVIER_UNIFORM, rng));
        head = child("head", new DetectorHead(config, rng));
        scaleDown((Conv2d) rpnDeltas, 0.1f); // start near "anchor as is" so early proposals are sane
        mask = masks == null
                ? null
                : child(
                        "mask",
                        new MaskHead(config.featureChannels(), config.classes().size(), masks, rng));
    }

    /** The backbone: image → features at stride 4. */
    @Override
    public Tensor forward(Tensor x) {
        return stage2b.forward(stage2a.forward(stage1b.forward(stage1a.forward(stem.forward(x)))));
    }

    public Rpn rpn(Tensor features) {
        Tensor h = rpnConv.forward(features);
        return new Rpn(rpnObjectness.forward(h), rpnDeltas.forward(h));
    }

    private static void scaleDown(Conv2d conv, float factor) {
        float[] w = conv.weight.data();
        for (int i = 0; i < w.length; i++) w[i] *= factor;
    }
}
