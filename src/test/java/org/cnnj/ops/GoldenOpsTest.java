package org.cnnj.ops;

import static org.cnnj.testing.Close.assertClose;

import java.util.Locale;
import java.util.function.Function;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Golden;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Forward values and gradients against PyTorch 1.13 (fixtures from src/test/python/make_golden.py). */
public class GoldenOpsTest {
    private static final double ATOL = 1e-4, RTOL = 1e-4;

    /** Runs op on the fixture's named inputs, back-propagates its gy, compares y and every g_<input>. */
    static void compare(Golden g, Function<Tensor[], Tensor> op, String... inputNames) {
        Tensor[] inputs = new Tensor[inputNames.length];
        for (int i = 0; i < inputs.length; i++)
            inputs[i] = g.tensor(inputNames[i]).requiresGrad(true);
        Tensor y = op.apply(inputs);
        assertClose("forward", g.tensor("y"), y, ATOL, RTOL);
        Autograd.backward(y, g.floats("gy"));
        for (int i = 0; i < inputs.length; i++) {
            assertClose(
                    "grad " + inputNames[i], g.floats("g_" + inputNames[i]), inputs[i].grad(), ATOL * 10, RTOL * 10);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "conv_basic",
                "conv_stride2",
                "conv_dilated",
                "conv_depthwise",
                "conv_grouped_rect",
                "conv_pointwise",
                "conv_wide",
                "conv_large_grid",
                "conv_rows"
            })
    public void conv2d(String name) {
        Golden g = Golden.load(name);
        int[] p = g.ints("params");
        ConvParams cp = ConvParams.of(p[0], p[1], p[2], p[3]);
        compare(g, t -> Convolution.apply(t[0], t[1], t[2], cp), "x", "w", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"convt_up2", "convt_k3s2", "convt_grouped", "convt_dilated"})
    public void convTranspose2d(String name) {
        Golden g = Golden.load(name);
        int[] p = g.ints("params");
        ConvParams cp = ConvParams.of(p[0], p[1], p[2], p[3]).withOutputPadding(p[4]);
        compare(g, t -> TransposedConvolution.apply(t[0], t[1], t[2], cp), "x", "w", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"maxpool_k2s2", "maxpool_k3s2p1", "avgpool_k2s2", "avgpool_k3s2p1"})
    void pooling(String name) {
        Golden g = Golden.load(name);
        int[] p = g.ints("params");
        PoolParams pp = PoolParams.of(p[0], p[1], p[2]);
        compare(g, t -> name.startsWith("max") ? MaxPool2d.apply(t[0], pp) : AvgPool2d.apply(t[0], pp), "x");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void batchNorm(boolean training) {
        Golden g = Golden.load(training ? "batchnorm_train" : "batchnorm_eval");
        float[] rm = g.floats("running_mean_before"), rv = g.floats("running_var_before");
        compare(
                g,
                t -> BatchNormalization.apply(t[0], t[1], t[2], rm, rv, training, 0.1f, 1e-5f),
                "x",
                "gamma",
                "beta");
        assertClose("running mean", g.floats("running_mean_after"), rm, 1e-5, 1e-5);
        assertClose("running var", g.floats("running_var_after"), rv, 1e-5, 1e-5);
    }

    /** The fused op against batch norm then ReLU, both checked against PyTorch above: values and every gradient. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void batchNormWithReluEqualsBatchNormThenRelu(boolean training) {
        Golden g = Golden.load(training ? "batchnorm_train" : "batchnorm_eval");
        float[][] fused = batchNormRelu(g, training, true), apart = batchNormRelu(g, training, false);
        String[] names = {"forward", "grad x", "grad gamma", "grad beta", "running mean", "running var"};
        for (int i = 0; i < names.length; i++) assertClose(names[i], apart[i], fused[i], 1e-5, 1e-5);
        int zeros = 0;
        for (float v : fused[0]) if (v == 0f) zeros++;
        Assertions.assertTrue(zeros > 0 && zeros < fused[0].length, "the ReLU must cut some values and pass others");
    }

    /**
     * The same on planes of 24 × 24 (the golden's are smaller than the vector kernels' blocks, so only their tails
     * ran there), with a gradient already in x (the fused backward adds to it) and γ of both signs.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void batchNormWithReluEqualsBatchNormThenReluOnLargePlanes(boolean training) {
        Rng rng = new Rng(29);
        float[] x = new float[2 * 3 * 24 * 24], gy = new float[x.length], earlier = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.normal() * 2 + 1;
            gy[i] = rng.normal();
            earlier[i] = rng.normal();
        }
        float[] gamma = {1.3f, -0.7f, 0.4f}, beta = {0.2f, -0.1f, 0.5f}, rm = {0.5f, 1f, -1f}, rv = {2f, 3f, 0.5f};
        float[][] fused = batchNormRelu(x, gy, earlier, gamma, beta, rm, rv, training, true);
        float[][] apart = batchNormRelu(x, gy, earlier, gamma, beta, rm, rv, training, false);
        String[] names = {"forward", "grad x", "grad gamma", "grad beta", "running mean", "running var"};
        for (int i = 0; i < names.length; i++) assertClose(names[i], apart[i], fused[i], 1e-5, 1e-5);
    }

    private static float[][] batchNormRelu(
            float[] xs,
            float[] gy,
            float[] earlier,
            float[] g,
            float[] b,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            boolean fused) {
        Tensor x = Tensor.of(xs.clone(), 2, 3, 24, 24).requiresGrad(true);
        System.arraycopy(earlier, 0, x.grad(), 0, earlier.length);
        Tensor gamma = Tensor.of(g.clone(), 3).requiresGrad(true),
                beta = Tensor.of(b.clone(), 3).requiresGrad(true);
        float[] rm = runningMean.clone(), rv = runningVar.clone();
        Tensor y = fused
                ? BatchNormalization.apply(x, gamma, beta, rm, rv, training, 0.1f, 1e-5f, true)
                : Relu.apply(BatchNormalization.apply(x, gamma, beta, rm, rv, training, 0.1f, 1e-5f));
        Autograd.backward(y, gy);
        return new float[][] {y.data().clone(), x.grad(), gamma.grad(), beta.grad(), rm, rv};
    }

    private static float[][] batchNormRelu(Golden g, boolean training, boolean fused) {
        Tensor x = g.tensor("x").requiresGrad(true), gamma = g.tensor("gamma").requiresGrad(true);
        Tensor beta = g.tensor("beta").requiresGrad(true);
        float[] rm = g.floats("running_mean_before"), rv = g.floats("running_var_before");
        Tensor y = fused
                ? BatchNormalization.apply(x, gamma, beta, rm, rv, training, 0.1f, 1e-5f, true)
                : Relu.apply(BatchNormalization.apply(x, gamma, beta, rm, rv, training, 0.1f, 1e-5f));
        Autograd.backward(y, g.floats("gy"));
        return new float[][] {y.data().clone(), x.grad(), gamma.grad(), beta.grad(), rm, rv};
    }

    @Test
    void activationsAndResampling() {
        compare(Golden.load("softmax"), t -> Softmax.apply(t[0]), "x");
        compare(Golden.load("log_softmax"), t -> LogSoftmax.apply(t[0]), "x");
        compare(Golden.load("sigmoid"), t -> Sigmoid.apply(t[0]), "x");
        compare(Golden.load("tanh"), t -> Tanh.apply(t[0]), "x");
        compare(Golden.load("leaky_relu"), t -> LeakyRelu.apply(t[0], 0.1f), "x");
        compare(Golden.load("upsample_nearest"), t -> Upsample.apply(t[0], 2, Upsample.Mode.NEAREST), "x");
        compare(Golden.load("upsample_bilinear"), t -> Upsample.apply(t[0], 3, Upsample.Mode.BILINEAR), "x");
        compare(Golden.load("global_avg_pool"), t -> GlobalAvgPool.apply(t[0]), "x");
        compare(Golden.load("pad_constant"), t -> Pad2d.apply(t[0], 1, 3, 2, 1, Pad2d.Mode.CONSTANT, 0.5f), "x");
        compare(Golden.load("pad_reflect"), t -> Pad2d.apply(t[0], 1, 3, 2, 1, Pad2d.Mode.REFLECT, 0f), "x");
        compare(Golden.load("pad_replicate"), t -> Pad2d.apply(t[0], 1, 3, 2, 1, Pad2d.Mode.EDGE, 0f), "x");
        compare(Golden.load("relu6"), t -> Relu6.apply(t[0]), "x");
        for (Broadcast.Kind k : Broadcast.Kind.values())
            compare(
                    Golden.load("broadcast_" + k.name().toLowerCase(Locale.ROOT)),
                    t -> Broadcast.apply(t[0], t[1], k),
                    "a",
                    "b");
        compare(Golden.load("linear"), t -> Addmm.apply(t[0], t[1], t[2]), "input", "weight", "bias");
    }
}
