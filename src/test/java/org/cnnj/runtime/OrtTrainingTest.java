package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.ConvTranspose2d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Linear;
import org.cnnj.nn.Module;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.ops.Add;
import org.cnnj.ops.AvgPool2d;
import org.cnnj.ops.Concat;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.GlobalAvgPool;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Relu6;
import org.cnnj.ops.Reshape;
import org.cnnj.ops.Upsample;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * The training step as one ONNX graph, run by ONNX Runtime on the CPU, against CNN-J's own Java step on the same
 * network, batch and weights: loss, every gradient and every parameter after three Adam steps agree to 1e-4 (relative
 * to the tensor's largest value). The network uses every op the graph differentiates that the zoo's classifiers use:
 * strided and depthwise (stride-2) convolutions, batch norm in training mode, overlapping max pool, average pool, ReLU and ReLU6,
 * a transposed convolution, concatenation, a residual sum, global average pooling, flatten and a linear layer.
 */
class OrtTrainingTest {
    static final class Small extends Module {
        final Conv2d stem, depthwise, pointwise;
        final BatchNorm2d bn;
        final ConvTranspose2d up;
        final Linear fc;

        Small(Rng rng) {
            stem = child("stem", new Conv2d(2, 8, 3, ConvParams.of(2, 1), false, Init.HE_NORMAL, rng));
            bn = child("bn", new BatchNorm2d(8));
            depthwise = child("dw", new Conv2d(8, 8, 3, ConvParams.of(2, 1, 1, 8), true, Init.HE_NORMAL, rng));
            pointwise = child("pw", new Conv2d(8, 8, 1, ConvParams.of(1, 0), true, Init.HE_NORMAL, rng));
            up = child("up", ConvTranspose2d.upsample2x(8, 8, rng));
            fc = child("fc", new Linear(16, 3, Init.XAVIER_UNIFORM, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor a = Relu.apply(bn.forward(stem.forward(x))); // [N, 8, 8, 8]
            Tensor pooled = MaxPool2d.apply(a, PoolParams.of(3, 2, 1)); // [N, 8, 4, 4]
            Tensor b = Relu6.apply(depthwise.forward(pooled)); // stride 2: [N, 8, 2, 2]
            Tensor c = Add.apply(pointwise.forward(b), MaxPool2d.apply(pooled, PoolParams.of(2))); // [N, 8, 2, 2]
            Tensor d = up.forward(up.forward(c)); // [N, 8, 8, 8]
            Tensor e = AvgPool2d.apply(Concat.channels(a, d), PoolParams.of(2, 2, 0)); // [N, 16, 4, 4]
            return fc.forward(Reshape.flatten(GlobalAvgPool.apply(e)));
        }
    }

    @Test
    void ortStepEqualsJavaStep() throws IOException {
        int n = 4;
        int[] shape = {n, 2, 16, 16};
        Rng data = new Rng(7);
        float[] x = new float[n * 2 * 16 * 16];
        for (int i = 0; i < x.length; i++) x[i] = data.normal();
        int[] labels = {0, 2, 1, 2};
        float smoothing = 0.1f;

        Module java = new Small(new Rng(3)), ort = new Small(new Rng(3));
        AdamConfig config = AdamConfig.adamW(0.01, 0.05);
        Adam javaAdam = new Adam(java.parameters(), config), ortAdam = new Adam(ort.parameters(), config);
        TrainingGraph.Plan plan = TrainingGraph.build(ort, shape, new TrainingLoss.CrossEntropy(), config, true);
        float[][] targets = TrainingLoss.crossEntropyTargets(labels, 3, 1, null, smoothing, Integer.MIN_VALUE);
        Map<String, float[]> feed = Map.of("target", targets[0], "weight", targets[1]);
        try (OrtTraining engine = OrtTraining.open(ort, ortAdam, plan, Device.CPU, msg -> {})) {
            java.train(true);
            for (int step = 1; step <= 3; step++) {
                javaAdam.zeroGrad();
                Tensor loss = SoftmaxCrossEntropy.apply(java.forward(Tensor.of(x.clone(), shape)), labels, smoothing);
                Autograd.backward(loss);
                Map<String, float[]> javaGrads = new LinkedHashMap<>();
                java.parameters().forEach((k, t) -> javaGrads.put(k, t.grad().clone()));
                javaAdam.step();

                ortAdam.zeroGrad();
                float ortLoss = engine.step(x, feed);
                ortAdam.step();

                assertEquals(loss.item(), ortLoss, 1e-4 * Math.abs(loss.item()), "loss, step " + step);
                for (String name : javaGrads.keySet()) {
                    assertClose(
                            javaGrads.get(name),
                            engine.gradients().get(name),
                            "gradient of " + name + ", step " + step);
                }
            }
        }
        java.parameters()
                .forEach((k, t) -> assertClose(t.data(), ort.parameters().get(k).data(), "parameter " + k));
        java.buffers().forEach((k, b) -> assertClose(b, ort.buffers().get(k), "running statistic " + k));
        assertEquals(3, ortAdam.steps());
    }

    @Test
    void anOpWithoutAGradientRuleIsNamedWithTheWayOut() {
        Module upsampling = new Module() {
            final Conv2d conv = child("conv", new Conv2d(1, 2, 3, new Rng(1)));

            @Override
            public Tensor forward(Tensor x) {
                return Upsample.apply(conv.forward(x), 2, Upsample.Mode.BILINEAR);
            }
        };
        UnsupportedOperationException e = assertThrows(
                UnsupportedOperationException.class,
                () -> TrainingGraph.build(
                        upsampling,
                        new int[] {2, 1, 8, 8},
                        new TrainingLoss.BinaryCrossEntropy(),
                        AdamConfig.adam(1e-3),
                        false));
        assertTrue(e.getMessage().contains("Resize") && e.getMessage().contains("--train-engine java"), e.getMessage());
    }

    @Test
    void autoTrainsInJavaWhereCudaDoesNotWork() throws IOException {
        assumeFalse(OrtTraining.cudaWorks(), "this machine has CUDA");
        Module net = new Small(new Rng(1));
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-3));
        TrainingGraph.Step step = new TrainingGraph.Step(new int[] {2, 2, 16, 16}, new TrainingLoss.CrossEntropy());
        assertNull(OrtTraining.choose(false, net, adam, step, line -> {}), "auto: the Java engine on a CPU");
        try (OrtTraining ort = OrtTraining.choose(true, net, adam, step, line -> {})) {
            assertTrue(ort.description().endsWith("on cpu"), ort.description());
        }
    }

    /** max |a − b| ≤ 1e-4 · max |a| (a tensor's small entries are judged against its scale, not their own). */
    static void assertClose(float[] expected, float[] actual, String what) {
        Close.assertCloseToScale(what, expected, actual, 1e-4, 0);
    }
}
