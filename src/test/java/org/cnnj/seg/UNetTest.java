package org.cnnj.seg;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.nn.Bottleneck;
import org.cnnj.nn.DenseBlock;
import org.cnnj.nn.Init;
import org.cnnj.nn.Linear;
import org.cnnj.nn.ResidualBlock;
import org.cnnj.nn.SqueezeExcitation;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Golden;
import org.cnnj.util.Parallel;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

public class UNetTest {
    @Test
    void referenceConfigurationHasTheDocumentedSize() {
        UNet net = new UNet(UNetConfig.reference(), new Rng(1));
        assertEquals(483_187, net.parameterCount());
        assertEquals(4.61e9, UNet.forwardMacs(UNetConfig.reference(), 8, 128, 128), 0.005e9);
    }

    @Test
    public void forwardBackwardAndAdamStepMatchPyTorch() {
        Golden g = Golden.load("unet_step");
        UNet net = new UNet(new UNetConfig(1, 3, 3, 4, true, false, 0f), new Rng(1));
        Map<String, Tensor> params = net.parameters();
        Map<String, float[]> buffers = net.buffers();
        assertEquals(
                params.size() + buffers.size(),
                g.all().keySet().stream().filter(k -> k.startsWith("init/")).count());
        params.forEach((k, t) -> System.arraycopy(g.floats("init/" + k), 0, t.data(), 0, t.size()));
        buffers.forEach((k, b) -> System.arraycopy(g.floats("init/" + k), 0, b, 0, b.length));

        Adam adam = new Adam(params, AdamConfig.adam(1e-3));
        Tensor logits = net.forward(g.tensor("x"));
        assertClose("logits", g.tensor("logits"), logits, 1e-4, 1e-4);
        Tensor loss = SoftmaxCrossEntropy.apply(logits, g.ints("labels"));
        assertEquals(g.scalar("loss"), loss.item(), 1e-5);
        Autograd.backward(loss);
        params.forEach((k, t) -> assertClose("grad " + k, g.floats("grad/" + k), t.grad(), 1e-5, 1e-3));
        adam.step();
        // Adam moves every weight by about lr whatever the gradient's size. Conv2d biases right before a
        // batch norm have a true gradient of 0 (BN subtracts the mean), so their float round-off, not
        // math, picks the direction: those elements are skipped; all others must match well below lr.
        params.forEach((k, t) -> {
            float[] expected = g.floats("after/" + k), actual = t.data().clone(), grad = g.floats("grad/" + k);
            for (int i = 0; i < grad.length; i++) if (Math.abs(grad[i]) < 1e-6f) actual[i] = expected[i];
            assertClose("after " + k, expected, actual, 2e-5, 1e-4);
        });
        buffers.forEach((k, b) -> assertClose("after " + k, g.floats("after/" + k), b, 1e-5, 1e-4));
    }

    @Test
    void overfitsOneFixedBatch() {
        Rng rng = new Rng(42);
        UNet net = new UNet(UNetConfig.reference(), rng);
        int n = 2, h = 32, w = 32;
        float[] image = new float[n * h * w];
        int[] labels = new int[n * h * w];
        for (int i = 0; i < image.length; i++) {
            labels[i] = rng.nextInt(3);
            image[i] = labels[i] - 1 + 0.8f * rng.normal(); // noisy but learnable per pixel with context
        }
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-2));
        Tensor x = Tensor.of(image, n, 1, h, w);
        float first = 0, last = 0;
        for (int step = 0; step < 120; step++) {
            adam.zeroGrad();
            Tensor loss = SoftmaxCrossEntropy.apply(net.forward(x), labels);
            if (step == 0) first = loss.item();
            last = loss.item();
            Autograd.backward(loss);
            adam.step();
        }
        assertTrue(first > 0.9f, "initial loss " + first);
        assertTrue(last < 0.05f, "loss after 120 steps on one batch: " + last + " (started at " + first + ")");
    }

    @Test
    void trainingIsDeterministicForASeedWhateverTheThreadCount() {
        int threads = Parallel.threads();
        try {
            float[] a = twoSteps(1), b = twoSteps(3), c = twoSteps(threads);
            assertArrayEquals(a, b);
            assertArrayEquals(a, c);
        } finally {
            Parallel.setThreads(threads);
        }
    }

    private static float[] twoSteps(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(9);
        UNet net = new UNet(new UNetConfig(1, 2, 2, 4, true, true, 0.2f), rng);
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-2));
        // 48×48: the first level's grid (48×50 pixels) takes the dot-product weight gradient, the deeper ones GEMM.
        float[] img = new float[4 * 48 * 48];
        int[] labels = new int[img.length];
        for (int i = 0; i < img.length; i++) {
            img[i] = rng.normal();
            labels[i] = img[i] > 0 ? 1 : 0;
        }
        for (int s = 0; s < 2; s++) {
            adam.zeroGrad();
            Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(Tensor.of(img, 4, 1, 48, 48)), labels));
            adam.step();
        }
        return net.parameters().get("head.weight").data().clone();
    }

    @Test
    void frozenEncoderStaysFixedWhileTheDecoderTrains() {
        Rng rng = new Rng(5);
        UNet net = new UNet(new UNetConfig(1, 2, 2, 4, true, false, 0f), rng);
        for (String name : new String[] {"enc0", "enc1", "bottom"})
            net.children().get(name).setFrozen(true);
        float[] encBefore = net.parameters().get("enc0.0.conv.weight").data().clone();
        float[] headBefore = net.parameters().get("head.weight").data().clone();
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-2));
        float[] img = new float[16 * 16];
        for (int i = 0; i < img.length; i++) img[i] = rng.normal();
        int[] labels = new int[img.length];
        Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(Tensor.of(img, 1, 1, 16, 16)), labels));
        adam.step();
        assertArrayEquals(encBefore, net.parameters().get("enc0.0.conv.weight").data());
        assertTrue(Math.abs(headBefore[0] - net.parameters().get("head.weight").data()[0]) > 1e-4);
        assertTrue(net.trainableParameterCount() < net.parameterCount());
    }

    @Test
    void wrongInputIsExplained() {
        UNet net = new UNet(new UNetConfig(2, 2, 2, 4, true, false, 0f), new Rng(1));
        var channels = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 1, 16, 16)));
        assertTrue(channels.getMessage().contains("2-channel"), channels.getMessage());
        var size = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 2, 18, 16)));
        assertTrue(size.getMessage().contains("multiple of 4"), size.getMessage());
    }

    @Test
    void blocksKeepOrChangeShapesAsDocumented() {
        Rng rng = new Rng(2);
        Tensor x = Tensor.zeros(2, 8, 6, 6);
        assertArrayEquals(
                new int[] {2, 8, 6, 6},
                new ResidualBlock(8, 8, 1, true, rng).forward(x).shape());
        assertArrayEquals(
                new int[] {2, 16, 3, 3},
                new ResidualBlock(8, 16, 2, true, rng).forward(x).shape());
        assertArrayEquals(
                new int[] {2, 12, 6, 6},
                new Bottleneck(8, 4, 12, true, rng).forward(x).shape());
        DenseBlock dense = new DenseBlock(8, 4, 3, true, rng);
        assertEquals(20, dense.outChannels);
        assertArrayEquals(new int[] {2, 20, 6, 6}, dense.forward(x).shape());
        assertArrayEquals(
                new int[] {2, 8, 6, 6},
                new SqueezeExcitation(8, 4, rng).forward(x).shape());
        assertArrayEquals(
                new int[] {2, 5},
                new Linear(8 * 36, 5, Init.XAVIER_UNIFORM, rng).forward(x).shape());
    }
}
