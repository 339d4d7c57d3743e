package org.cnnj.ops;

import static org.cnnj.testing.GradCheck.check;
import static org.cnnj.testing.GradCheck.distinct;
import static org.cnnj.testing.GradCheck.uniform;

import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Every op's backward against central finite differences, including stride/padding edge cases. */
class OpGradientTest {
    private final Rng rng = new Rng(7);

    @Test
    void conv2dPlain() {
        check(
                "conv 3x3 pad1",
                t -> Convolution.apply(t[0], t[1], t[2], 1, 1),
                uniform(rng, 2, 3, 6, 5),
                uniform(rng, 4, 3, 3, 3),
                uniform(rng, 4));
    }

    @Test
    void conv2dStrideWithoutPaddingLeavesEdgePixelsUnused() {
        check(
                "conv 3x3 stride2 pad0",
                t -> Convolution.apply(t[0], t[1], t[2], 2, 0),
                uniform(rng, 2, 2, 8, 7),
                uniform(rng, 3, 2, 3, 3),
                uniform(rng, 3));
    }

    @Test
    void conv2dDilatedGroupedRectangular() {
        ConvParams p = new ConvParams(2, 1, 2, 1, 2, 1, 2, 0, 0);
        check(
                "conv dilated grouped",
                t -> Convolution.apply(t[0], t[1], null, p),
                uniform(rng, 1, 4, 9, 7),
                uniform(rng, 6, 2, 3, 2));
    }

    @Test
    void conv2dDepthwise() {
        check(
                "conv depthwise",
                t -> Convolution.apply(t[0], t[1], t[2], ConvParams.of(1, 1, 1, 3)),
                uniform(rng, 2, 3, 5, 5),
                uniform(rng, 3, 1, 3, 3),
                uniform(rng, 3));
    }

    @Test
    void conv2dPointwiseAndBatchOfOne() {
        check(
                "conv 1x1",
                t -> Convolution.apply(t[0], t[1], t[2], 1, 0),
                uniform(rng, 1, 5, 4, 3),
                uniform(rng, 2, 5, 1, 1),
                uniform(rng, 2));
    }

    @Test
    void convTranspose2d() {
        check(
                "convT k2 s2",
                t -> TransposedConvolution.apply(t[0], t[1], t[2], 2, 0),
                uniform(rng, 2, 3, 3, 4),
                uniform(rng, 3, 2, 2, 2),
                uniform(rng, 2));
        check(
                "convT k3 s2 p1 op1",
                t -> TransposedConvolution.apply(
                        t[0], t[1], t[2], ConvParams.of(2, 1).withOutputPadding(1)),
                uniform(rng, 1, 2, 3, 3),
                uniform(rng, 2, 3, 3, 3),
                uniform(rng, 3));
        check(
                "convT grouped",
                t -> TransposedConvolution.apply(t[0], t[1], null, ConvParams.of(1, 1, 1, 2)),
                uniform(rng, 2, 4, 3, 3),
                uniform(rng, 4, 1, 3, 3));
    }

    @Test
    void pooling() {
        check("maxpool k2", t -> MaxPool2d.apply(t[0], PoolParams.of(2)), distinct(rng, 2, 2, 6, 5));
        check("maxpool k3 s2 p1", t -> MaxPool2d.apply(t[0], PoolParams.of(3, 2, 1)), distinct(rng, 1, 2, 7, 6));
        check("avgpool k3 s2 p1", t -> AvgPool2d.apply(t[0], PoolParams.of(3, 2, 1)), uniform(rng, 2, 2, 5, 6));
        check("global avg pool", t -> GlobalAvgPool.apply(t[0]), uniform(rng, 2, 3, 4, 5));
    }

    @Test
    void batchNormTrainAndEval() {
        float[] rm = new float[3], rv = {1f, 2f, 0.5f};
        check(
                "bn train",
                t -> BatchNormalization.apply(t[0], t[1], t[2], rm.clone(), rv.clone(), true, 0.1f, 1e-5f),
                uniform(rng, 3, 3, 4, 2),
                uniform(rng, 3),
                uniform(rng, 3));
        check(
                "bn eval",
                t -> BatchNormalization.apply(t[0], t[1], t[2], rm, rv, false, 0.1f, 1e-5f),
                uniform(rng, 2, 3, 3, 3),
                uniform(rng, 3),
                uniform(rng, 3));
    }

    @Test
    void activations() {
        check("relu", t -> Relu.apply(t[0]), distinct(rng, 2, 3, 4));
        check(
                "broadcast div",
                t -> Broadcast.apply(t[0], t[1], Broadcast.Kind.DIV),
                uniform(rng, 2, 3, 4),
                Tensor.of(new float[] {0.8f, 1.3f, -1.7f}, 3, 1).requiresGrad(true)); // divisors away from 0
        check(
                "broadcast mul",
                t -> Broadcast.apply(t[0], t[1], Broadcast.Kind.MUL),
                uniform(rng, 4),
                uniform(rng, 2, 3, 4));
        check("pad reflect", t -> Pad2d.apply(t[0], 1, 2, 2, 1, Pad2d.Mode.REFLECT, 0f), uniform(rng, 1, 2, 4, 5));
        check("pad edge", t -> Pad2d.apply(t[0], 2, 0, 1, 3, Pad2d.Mode.EDGE, 0f), uniform(rng, 1, 2, 4, 5));
        check("leaky relu", t -> LeakyRelu.apply(t[0], 0.2f), distinct(rng, 2, 3, 4));
        check("sigmoid", t -> Sigmoid.apply(t[0]), uniform(rng, 3, 7));
        check("tanh", t -> Tanh.apply(t[0]), uniform(rng, 3, 7));
        check("softmax", t -> Softmax.apply(t[0]), uniform(rng, 2, 4, 3, 2));
        check("log softmax", t -> LogSoftmax.apply(t[0]), uniform(rng, 2, 4, 3));
    }

    @Test
    void dropoutUsesTheSameMaskForwardAndBackward() {
        check("dropout", t -> Dropout.apply(t[0], 0.3f, true, new Rng(5)), uniform(rng, 4, 10));
        check("dropout2d", t -> Dropout.apply(t[0], 0.5f, true, true, new Rng(5)), uniform(rng, 2, 4, 3, 3));
    }

    @Test
    void structuralOps() {
        check("linear", t -> Addmm.apply(t[0], t[1], t[2]), uniform(rng, 3, 5), uniform(rng, 4, 5), uniform(rng, 4));
        check(
                "concat",
                t -> Concat.channels(t[0], t[1], t[2]),
                uniform(rng, 2, 1, 2, 3),
                uniform(rng, 2, 3, 2, 3),
                uniform(rng, 2, 2, 2, 3));
        check("add", t -> Add.apply(t[0], t[1]), uniform(rng, 2, 3, 2), uniform(rng, 2, 3, 2));
        check("multiply", t -> Multiply.apply(t[0], t[1]), uniform(rng, 2, 3, 2), uniform(rng, 2, 3, 2));
        check(
                "multiply per channel",
                t -> Multiply.apply(t[0], t[1]),
                uniform(rng, 2, 3, 4, 2),
                uniform(rng, 2, 3, 1, 1));
        check("upsample nearest", t -> Upsample.apply(t[0], 2, Upsample.Mode.NEAREST), uniform(rng, 1, 2, 3, 2));
        check("upsample bilinear", t -> Upsample.apply(t[0], 3, Upsample.Mode.BILINEAR), uniform(rng, 1, 2, 3, 4));
        check("permute 4-D", t -> Permute.apply(t[0], 0, 2, 3, 1), uniform(rng, 2, 3, 2, 4));
        check(
                "channel shuffle",
                t -> Reshape.apply(Permute.apply(Reshape.apply(t[0], 1, 2, 2, 3, 2), 0, 2, 1, 3, 4), 1, 4, 3, 2),
                uniform(rng, 1, 4, 3, 2));
        Upsample.Sampling alignCorners = new Upsample.Sampling(
                Upsample.Mode.BILINEAR, Upsample.Coordinates.ALIGN_CORNERS, Upsample.Rounding.FLOOR);
        check(
                "interpolate 3x4 -> 5x7 align_corners",
                t -> Upsample.interpolate(t[0], 5, 7, 5f / 3, 7f / 4, alignCorners),
                uniform(rng, 1, 2, 3, 4));
        Upsample.Sampling down = new Upsample.Sampling(
                Upsample.Mode.BILINEAR, Upsample.Coordinates.PYTORCH_HALF_PIXEL, Upsample.Rounding.FLOOR);
        check(
                "interpolate 6x5 -> 4x3 pytorch_half_pixel",
                t -> Upsample.interpolate(t[0], 4, 3, 4f / 6, 3f / 5, down),
                uniform(rng, 1, 2, 6, 5));
        Upsample.Sampling nearest = new Upsample.Sampling(
                Upsample.Mode.NEAREST, Upsample.Coordinates.HALF_PIXEL, Upsample.Rounding.ROUND_PREFER_CEIL);
        check(
                "interpolate 3x3 -> 7x5 nearest",
                t -> Upsample.interpolate(t[0], 7, 5, 7f / 3, 5f / 3, nearest),
                uniform(rng, 1, 1, 3, 3));
        check("reshape + mean", t -> Mean.apply(Reshape.flatten(Relu.apply(t[0]))), distinct(rng, 2, 3, 2, 2));
    }

    @Test
    void tensorUsedTwiceAccumulatesBothGradients() {
        check("x*x + x", t -> Add.apply(Multiply.apply(t[0], t[0]), t[0]), uniform(rng, 3, 4));
    }

    @Test
    void frozenInputReceivesNoGradient() {
        Tensor x = uniform(rng, 1, 2, 4, 4), w = uniform(rng, 3, 2, 3, 3).requiresGrad(false);
        Tensor y = Convolution.apply(x, w, null, 1, 1);
        Autograd.backward(Mean.apply(y));
        Assertions.assertTrue(x.hasGrad());
        Assertions.assertFalse(w.hasGrad());
    }

    @Test
    void narrowPassesGradientToItsChannelsOnly() {
        check("narrow 1..2 of 4", t -> Narrow.channels(t[0], 1, 2), uniform(rng, 2, 4, 3, 3));
        check("narrow last channel", t -> Narrow.channels(t[0], 3, 1), uniform(rng, 1, 4, 2, 5));
    }
}
