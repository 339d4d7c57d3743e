package org.cnnj.ops;

import static org.cnnj.testing.Close.assertClose;
import static org.cnnj.testing.GradCheck.check;
import static org.cnnj.testing.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.nn.Conv3d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.onnx.GraphNetwork;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Golden;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 3-D ops against PyTorch 1.13 (fixtures from src/test/python/make_3d_golden.py), against finite differences,
 * and exported to ONNX against ONNX Runtime.
 */
class Ops3dTest {
    @ParameterizedTest
    @ValueSource(strings = {"conv3d_basic", "conv3d_aniso", "conv3d_grouped"})
    void conv3dEqualsPyTorch(String name) {
        Golden g = Golden.load(name);
        int[] p = g.ints("params");
        Conv3dParams cp = new Conv3dParams(
                Arrays.copyOfRange(p, 0, 3), Arrays.copyOfRange(p, 3, 6), Arrays.copyOfRange(p, 6, 9), p[9]);
        GoldenOpsTest.compare(g, t -> Convolution3d.apply(t[0], t[1], t[2], cp), "x", "w", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"convt3d_up222", "convt3d_aniso"})
    void transposedConv3dEqualsPyTorch(String name) {
        Golden g = Golden.load(name);
        int[] p = g.ints("params");
        Conv3dParams cp = new Conv3dParams(
                Arrays.copyOfRange(p, 0, 3), Arrays.copyOfRange(p, 3, 6), Arrays.copyOfRange(p, 6, 9), p[9]);
        int[] outputPadding = Arrays.copyOfRange(p, 10, 13);
        GoldenOpsTest.compare(
                g, t -> TransposedConvolution3d.apply(t[0], t[1], t[2], cp, outputPadding), "x", "w", "b");
    }

    @Test
    void aVolumeUnfoldedInChunksGivesWhatOneBlockGives() {
        // Large volumes are unfolded a chunk of output voxels at a time; here 50 floats force chunks of one voxel.
        Rng rng = new Rng(5);
        Tensor x = uniform(rng, 2, 2, 4, 5, 6), w = uniform(rng, 3, 2, 3, 3, 3), b = uniform(rng, 3);
        Conv3dParams p = Conv3dParams.of(new int[] {1, 2, 1}, new int[] {1, 1, 0});
        float[][] whole = run(x, w, b, p, Convolution3d.CHUNK), chunked = run(x, w, b, p, 50);
        for (int i = 0; i < whole.length; i++) assertClose("part " + i, whole[i], chunked[i], 1e-5, 1e-5);
    }

    /**
     * A convolution of channel parts, each with its slice of the weights, equals the convolution of their
     * concatenation: directly (stride 1, a grid large enough for {@link DirectConv3d}) and by packed panels (stride 2);
     * with gradients on, it is that concatenation and convolution (so training and export see no difference).
     */
    @Test
    void aConvolutionOfChannelPartsEqualsTheConvolutionOfTheirConcatenation() {
        Rng rng = new Rng(21);
        Tensor a = uniform(rng, 2, 3, 6, 16, 24), b = uniform(rng, 2, 2, 6, 16, 24);
        Tensor w = uniform(rng, 4, 5, 3, 3, 3), bias = uniform(rng, 4);
        for (Conv3dParams p : List.of(Conv3dParams.of(1, 1), Conv3dParams.of(2, 1))) {
            Tensor concatenated = GradMode.noGrad(() -> Convolution3d.apply(Concat.channels(a, b), w, bias, p));
            Tensor parts = GradMode.noGrad(() -> Convolution3d.applyToChannels(new Tensor[] {a, b}, w, bias, p));
            assertClose("parts vs concatenation, stride " + p.stride()[0], concatenated, parts, 1e-5, 1e-5);
        }
        Tensor withGradients = Convolution3d.applyToChannels(new Tensor[] {a, b}, w, bias, Conv3dParams.of(1, 1));
        assertTrue(withGradients.requiresGrad(), "with gradients on it is an autograd node");
    }

    @Test
    void batchNormWithReluInPlaceEqualsTheFreshResultAndRefusesTraining() {
        Rng rng = new Rng(22);
        Tensor x = uniform(rng, 2, 3, 4, 5, 6), gamma = uniform(rng, 3), beta = uniform(rng, 3);
        float[] mean = {0.1f, -0.2f, 0.3f}, var = {1.5f, 0.5f, 2f};
        Tensor fresh =
                GradMode.noGrad(() -> BatchNormalization.apply(x, gamma, beta, mean, var, false, 0.1f, 1e-5f, true));
        Tensor copy = Tensor.of(x.data().clone(), x.shape());
        Tensor over =
                GradMode.noGrad(() -> BatchNormalization.applyInPlaceWithRelu(copy, gamma, beta, mean, var, 1e-5f));
        assertTrue(over == copy, "written over its input");
        assertClose("in place vs fresh", fresh, over, 0, 0);
        assertThrows(
                IllegalStateException.class,
                () -> BatchNormalization.applyInPlaceWithRelu(copy, gamma, beta, mean, var, 1e-5f));
    }

    /**
     * The stride-1 weight gradient by dot products on a padded volume ({@link DirectConv3d}, used from a grid of 2,048
     * voxels, so not by the small golden cases) equals the sum written out, and its forward pass the unfolded one, for a cube kernel, an anisotropic one, dilation
     * with uneven padding and no padding; 5 output channels and 81 or 27 taps leave edges outside the 4 × 4 blocks.
     * The same in every way a buffer budget splits the padding: samples apart, slabs of output planes.
     */
    @Test
    void theDirectWeightGradientEqualsTheSumWrittenOut() {
        Rng rng = new Rng(11);
        int n = 2, c = 3, co = 5, d = 10, h = 16, w = 21;
        Tensor x = uniform(rng, n, c, d, h, w);
        int[][][] cases = { // kernel, padding, dilation
            {{3, 3, 3}, {1, 1, 1}, {1, 1, 1}},
            {{1, 3, 3}, {0, 1, 1}, {1, 1, 1}},
            {{3, 2, 3}, {2, 1, 2}, {2, 1, 2}},
            {{3, 3, 3}, {0, 0, 0}, {1, 1, 1}}
        };
        // Whole batch in one padded buffer; one sample per buffer; slabs of 4 output planes (the last shorter); of 1.
        int[] budgets = {Convolution3d.CHUNK, 20_000, 8_000, 4_000};
        for (int[][] k : cases) {
            for (int budget : budgets) {
                String name = Arrays.deepToString(k) + " in buffers of " + budget + " floats";
                Conv3dParams p = new Conv3dParams(new int[] {1, 1, 1}, k[1], k[2], 1);
                Tensor weight = uniform(rng, co, c, k[0][0], k[0][1], k[0][2]);
                Convolution3d.Geometry g = Convolution3d.Geometry.of(x, weight, null, p, budget);
                int buffers = DirectConv3d.buffers(g);
                assertTrue(
                        budget == budgets[0] ? buffers == 1 : budget == budgets[1] ? buffers == n : buffers > n, name);
                float[] dy =
                        uniform(rng, n, co, g.out()[0], g.out()[1], g.out()[2]).data();
                float[] direct = new float[weight.size()];
                assertTrue(DirectConv3d.weightGradient(g, x.data(), dy, direct), name + " ran directly");
                assertClose(name, naiveWeightGradient(g, x.data(), dy), direct, 1e-4, 1e-4);
                // The forward pass read in place equals the unfolded one (which the goldens check), set and added.
                int outSize = n * co * g.voxels();
                float[] packed = new float[outSize],
                        read = new float[outSize],
                        start = uniform(rng, outSize).data();
                Convolution3d.forwardPacked(g, x.data(), weight.data(), packed, false);
                assertTrue(DirectConv3d.forward(g, x.data(), weight.data(), read, false));
                assertClose(name + " forward", packed, read, 1e-5, 1e-5);
                float[] added = start.clone();
                assertTrue(DirectConv3d.forward(g, x.data(), weight.data(), added, true));
                for (int i = 0; i < outSize; i++) packed[i] += start[i];
                assertClose(name + " forward, added", packed, added, 1e-5, 1e-5);
            }
        }
    }

    /** dW[o, c, kd, kh, kw] = Σ dy[s, o, v]·x[s, c, v + tap − padding] over samples and output voxels, in double. */
    private static float[] naiveWeightGradient(Convolution3d.Geometry g, float[] x, float[] dy) {
        int[] k = g.kernel(), in = g.in(), out = g.out(), pad = g.p().padding(), dil = g.p().dilation();
        float[] dw = new float[g.cOut() * g.c() * k[0] * k[1] * k[2]];
        for (int o = 0, i = 0; o < g.cOut(); o++)
            for (int c = 0; c < g.c(); c++)
                for (int kd = 0; kd < k[0]; kd++)
                    for (int kh = 0; kh < k[1]; kh++)
                        for (int kw = 0; kw < k[2]; kw++, i++) {
                            double sum = 0;
                            for (int s = 0; s < g.n(); s++)
                                for (int z = 0; z < out[0]; z++)
                                    for (int y = 0; y < out[1]; y++)
                                        for (int v = 0; v < out[2]; v++) {
                                            int zi = z - pad[0] + kd * dil[0], yi = y - pad[1] + kh * dil[1];
                                            int xi = v - pad[2] + kw * dil[2];
                                            if (zi < 0 || zi >= in[0] || yi < 0 || yi >= in[1] || xi < 0 || xi >= in[2])
                                                continue;
                                            sum += dy[(((s * g.cOut() + o) * out[0] + z) * out[1] + y) * out[2] + v]
                                                    * x[(((s * g.c() + c) * in[0] + zi) * in[1] + yi) * in[2] + xi];
                                        }
                            dw[i] = (float) sum;
                        }
        return dw;
    }

    /** y, then the gradients of x, w and b for a fixed upstream gradient. */
    private static float[][] run(Tensor x, Tensor w, Tensor b, Conv3dParams p, int chunk) {
        for (Tensor t : List.of(x, w, b)) t.zeroGrad();
        Tensor y = Convolution3d.apply(x, w, b, p, chunk);
        float[] gy = new float[y.size()];
        for (int i = 0; i < gy.length; i++) gy[i] = (i % 7) - 3;
        Autograd.backward(y, gy);
        return new float[][] {
            y.data().clone(), x.grad().clone(), w.grad().clone(), b.grad().clone()
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"maxpool3d_222", "maxpool3d_122"})
    void maxPool3dEqualsPyTorch(String name) {
        Golden g = Golden.load(name);
        int[] k = g.ints("params");
        GoldenOpsTest.compare(g, t -> MaxPool3d.apply(t[0], k, k), "x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"avgpool3d_222", "avgpool3d_133"})
    void avgPool3dEqualsPyTorch(String name) {
        Golden g = Golden.load(name);
        int[] p = g.ints("params");
        int[] k = {p[0], p[1], p[2]}, stride = {p[3], p[4], p[5]};
        GoldenOpsTest.compare(g, t -> AvgPool3d.apply(t[0], k, stride), "x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"upsample3d_122", "upsample3d_232"})
    void upsample3dEqualsPyTorch(String name) {
        Golden g = Golden.load(name);
        int[] s = g.ints("params");
        GoldenOpsTest.compare(g, t -> Upsample3d.apply(t[0], s), "x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"trilinear3d_122", "trilinear3d_232"})
    void trilinearUpsamplingEqualsPyTorch(String name) {
        Golden g = Golden.load(name);
        int[] s = g.ints("params");
        GoldenOpsTest.compare(g, t -> Trilinear3d.apply(t[0], s), "x");
    }

    @Test
    void batchNormOverVolumesEqualsPyTorch() {
        Golden g = Golden.load("batchnorm3d_train");
        float[] rm = new float[3], rv = {1, 1, 1};
        GoldenOpsTest.compare(
                g, t -> BatchNormalization.apply(t[0], t[1], t[2], rm, rv, true, 0.1f, 1e-5f), "x", "gamma", "beta");
        assertClose("running mean", g.floats("running_mean_after"), rm, 1e-5, 1e-5);
        assertClose("running var", g.floats("running_var_after"), rv, 1e-5, 1e-5);
    }

    @Test
    void gradientsEqualFiniteDifferences() {
        Rng rng = new Rng(7);
        Conv3dParams aniso = new Conv3dParams(new int[] {1, 2, 1}, new int[] {0, 1, 1}, new int[] {1, 1, 2}, 1);
        check(
                "conv3d",
                t -> Convolution3d.apply(t[0], t[1], t[2], aniso),
                uniform(rng, 2, 2, 3, 5, 6),
                uniform(rng, 3, 2, 1, 3, 3),
                uniform(rng, 3));
        // Stride 1: the data gradient runs as a convolution with the flipped weight (groups and dilation included).
        Conv3dParams grouped = new Conv3dParams(new int[] {1, 1, 1}, new int[] {1, 2, 0}, new int[] {1, 2, 1}, 2);
        check(
                "conv3d stride 1 grouped",
                t -> Convolution3d.apply(t[0], t[1], null, grouped),
                uniform(rng, 1, 4, 3, 5, 4),
                uniform(rng, 6, 2, 3, 3, 2));
        check(
                "max_pool3d",
                t -> MaxPool3d.apply(t[0], new int[] {1, 2, 2}, new int[] {1, 2, 2}),
                uniform(rng, 1, 2, 2, 4, 4));
        check("upsample3d", t -> Upsample3d.apply(t[0], new int[] {2, 1, 3}), uniform(rng, 1, 2, 2, 3, 2));
        check("trilinear3d", t -> Trilinear3d.apply(t[0], new int[] {2, 3, 1}), uniform(rng, 1, 2, 2, 3, 2));
        check(
                "avg_pool3d overlapping",
                t -> AvgPool3d.apply(t[0], new int[] {2, 3, 2}, new int[] {1, 2, 1}),
                uniform(rng, 1, 2, 3, 5, 4));
    }

    @Test
    void badShapesAreNamed() {
        Tensor x = Tensor.zeros(1, 2, 3, 4, 4), w = Tensor.zeros(4, 3, 3, 3, 3);
        var e = assertThrows(
                IllegalArgumentException.class, () -> Convolution3d.apply(x, w, null, Conv3dParams.of(1, 1)));
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
        var small = assertThrows(
                IllegalArgumentException.class,
                () -> Convolution3d.apply(
                        Tensor.zeros(1, 2, 2, 4, 4), Tensor.zeros(4, 2, 3, 3, 3), null, Conv3dParams.of(1, 0)));
        assertTrue(small.getMessage().contains("depth 2 is too small for kernel 3"), small.getMessage());
    }

    /**
     * conv3d (anisotropic) → batch norm → ReLU → max pool (1, 2, 2) → conv3d → upsample (1, 2, 2) → transposed conv
     * (1, 2, 2): a 3-D U-Net's steps.
     */
    private static final class Block extends Module {
        final Conv3d a, b;
        final Tensor gamma, beta, up;
        final float[] mean, var;

        Block(Rng rng) {
            a = child(
                    "a",
                    new Conv3d(
                            2,
                            4,
                            new int[] {1, 3, 3},
                            Conv3dParams.of(new int[] {1, 1, 1}, new int[] {0, 1, 1}),
                            true,
                            Init.HE_NORMAL,
                            rng));
            b = child("b", new Conv3d(4, 3, 3, rng));
            up = param("up", uniform(rng, 3, 2, 1, 2, 2));
            gamma = param("gamma", uniform(rng, 4));
            beta = param("beta", uniform(rng, 4));
            mean = buffer("mean", new float[] {0.1f, -0.2f, 0.3f, 0f});
            var = buffer("var", new float[] {1.5f, 0.7f, 1f, 2f});
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = Relu.apply(BatchNormalization.apply(a.forward(x), gamma, beta, mean, var, false, 0.1f, 1e-5f));
            Tensor low = b.forward(MaxPool3d.apply(h, new int[] {1, 2, 2}, new int[] {1, 2, 2}));
            Conv3dParams inPlane = Conv3dParams.of(new int[] {1, 2, 2}, new int[] {0, 0, 0});
            return TransposedConvolution3d.apply(
                    Upsample3d.apply(low, new int[] {1, 2, 2}), up, null, inPlane, new int[3]);
        }
    }

    @Test
    void exportedVolumeGraphEqualsTheJavaForwardPass(@TempDir Path dir) throws Exception {
        Block block = new Block(new Rng(3));
        block.train(false);
        Path model = dir.resolve("block3d.onnx");
        Files.write(
                model,
                OnnxExport.exportGraph(
                        block,
                        new int[] {1, 2, 4, 8, 8},
                        false,
                        x -> {
                            Map<String, Tensor> out = new LinkedHashMap<>();
                            out.put("output", block.forward(x));
                            return out;
                        },
                        Map.of()));
        Tensor x = GradMode.noGrad(() -> uniform(new Rng(4), 1, 2, 4, 8, 8).requiresGrad(false));
        Tensor java = GradMode.noGrad(() -> block.forward(x));
        try (OrtEngine ort = OrtEngine.openVolume(model, Device.CPU, 1, m -> {})) {
            List<Tensor> out = ort.runAll(x);
            assertClose("ORT vs Java", java, out.get(0), 1e-4, 1e-4);
        }
        // And the graph rebuilt from the ONNX file alone (as for a 3-D model from elsewhere) computes the same.
        GraphNetwork graph = GraphNetwork.load(model);
        graph.train(false);
        Tensor rebuilt = GradMode.noGrad(() -> graph.forward(x));
        assertClose("rebuilt graph vs Java", java, rebuilt, 1e-4, 1e-4);
    }

    @Test
    void exportedTrilinearUpsamplingAndAveragePoolingEqualOnnxRuntime(@TempDir Path dir) throws Exception {
        Module up = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return AvgPool3d.apply(
                        Trilinear3d.apply(x, new int[] {2, 2, 3}), new int[] {1, 2, 2}, new int[] {1, 2, 2});
            }
        };
        Path model = dir.resolve("up3d.onnx");
        Files.write(model, OnnxExport.export(up, new int[] {1, 2, 3, 4, 4}, Map.of()));
        Tensor x = GradMode.noGrad(() -> uniform(new Rng(9), 1, 2, 3, 4, 4).requiresGrad(false));
        Tensor java = GradMode.noGrad(() -> up.forward(x));
        try (OrtEngine ort = OrtEngine.openVolume(model, Device.CPU, 1, m -> {})) {
            assertClose("ORT vs Java", java, ort.runAll(x).get(0), 1e-4, 1e-4);
        }
        GraphNetwork graph = GraphNetwork.load(model);
        assertClose("rebuilt graph vs Java", java, GradMode.noGrad(() -> graph.forward(x)), 1e-4, 1e-4);
    }
}
