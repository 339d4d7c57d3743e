package org.cnnj.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.ops.Convolution;
import org.cnnj.ops.Mean;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Reshape;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Recycled activations and gradients: training is bit-identical, steady steps allocate nothing, misuse is loud. */
class BufferPoolTest {
    private static final int BATCH = 2, SIZE = 48;

    /** A small U-Net, its optimizer and a fixed batch. */
    private record Setup(UNet net, Adam adam, Tensor x, int[] labels) {
        static Setup of() {
            Rng rng = new Rng(5);
            UNet net = new UNet(new UNetConfig(1, 3, 2, 8, true, false, 0f), rng);
            float[] image = new float[BATCH * SIZE * SIZE];
            int[] labels = new int[image.length];
            for (int i = 0; i < image.length; i++) {
                labels[i] = rng.nextInt(3);
                image[i] = labels[i] + rng.normal();
            }
            return new Setup(
                    net,
                    new Adam(net.parameters(), AdamConfig.adam(1e-3)),
                    Tensor.of(image, BATCH, 1, SIZE, SIZE),
                    labels);
        }

        float step(boolean release) {
            adam.zeroGrad();
            Tensor loss = SoftmaxCrossEntropy.apply(net.forward(x), labels);
            if (release) Autograd.backwardAndRelease(loss);
            else Autograd.backward(loss);
            adam.step();
            return loss.item();
        }
    }

    @Test
    void recycledStepsTrainExactlyAsFreshOnes() {
        Setup fresh = Setup.of(), recycled = Setup.of();
        for (int s = 0; s < 4; s++) {
            // Interleaved, so the fresh run's ops also take arrays the recycled run gave back.
            float a = fresh.step(false), b = recycled.step(true);
            assertEquals(a, b, 0f, "loss at step " + s);
        }
        Map<String, Tensor> pb = recycled.net.parameters();
        fresh.net
                .parameters()
                .forEach((name, p) -> assertArrayEquals(p.data(), pb.get(name).data(), 0f, name));
    }

    @Test
    void aSteadyStepAllocatesNoActivationOrGradient() {
        Setup s = Setup.of();
        s.step(true);
        s.step(true);
        long before = BufferPool.misses();
        s.step(true);
        s.step(true);
        assertEquals(0, BufferPool.misses() - before, "arrays allocated in two steady-state steps");
    }

    @Test
    void releasedValuesRefuseToBeReadWhileLeavesAndKeptTensorsStay() {
        Rng rng = new Rng(3);
        float[] wv = new float[4 * 1 * 3 * 3];
        for (int i = 0; i < wv.length; i++) wv[i] = rng.normal();
        Tensor w = Tensor.of(wv, 4, 1, 3, 3).requiresGrad(true);
        Tensor x = Tensor.of(new float[64 * 64], 1, 1, 64, 64);
        Tensor weightView = Reshape.apply(w, 36); // shares the weight's array
        Tensor conv = Convolution.apply(x, Reshape.apply(weightView, 4, 1, 3, 3), null, 1, 1);
        Tensor relu = Relu.apply(conv), keptView = Reshape.apply(relu, 4 * 64 * 64);
        Tensor loss = Mean.apply(Relu.apply(keptView));
        float[] weightsBefore = wv.clone();
        Autograd.backwardAndRelease(loss, keptView);
        IllegalStateException e = assertThrows(IllegalStateException.class, conv::data);
        assertTrue(e.getMessage().contains("handed back") && e.getMessage().contains("conv2d"), e.getMessage());
        relu.data(); // shares the kept view's array
        keptView.data();
        loss.item();
        // Whatever the pool hands out next must not be the weight's array.
        for (int i = 0; i < 8; i++) Arrays.fill(BufferPool.take(4 * 64 * 64), 7f);
        assertArrayEquals(weightsBefore, w.data(), 0f);
        assertEquals(36, weightView.data().length);
    }
}
