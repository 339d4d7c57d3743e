package org.cnnj.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Max pooling with and without gradients (the inference path keeps no winners) against PyTorch's rule. */
class MaxPool2dTest {
    /** PyTorch's rule: the first of the largest values; a NaN wins and stays. */
    private static float reference(float[] x, int plane, int h, int w, int i, int j, int k, int s) {
        float best = Float.NEGATIVE_INFINITY;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                float v = x[plane * h * w + (i * s + a) * w + j * s + b];
                if (v > best || Float.isNaN(v)) best = v;
                if (Float.isNaN(best)) return best;
            }
        }
        return best;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void valuesFollowPyTorchWithAndWithoutGradients(int kernel) {
        Random rng = new Random(kernel);
        int n = 2, c = 3, h = 12, w = 10;
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(40) == 0 ? Float.NaN : rng.nextInt(9) == 0 ? 1.5f : (float) rng.nextGaussian();
        }
        PoolParams p = PoolParams.of(kernel, kernel, 0);
        Tensor withGrad = MaxPool2d.apply(Tensor.of(x, n, c, h, w).requiresGrad(true), p);
        Tensor inference = GradMode.noGrad(() -> MaxPool2d.apply(Tensor.of(x, n, c, h, w), p));
        int oh = h / kernel, ow = w / kernel;
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float expected = reference(x, plane, h, w, i, j, kernel, kernel);
                    int at = plane * oh * ow + i * ow + j;
                    assertEquals(expected, withGrad.data()[at], "with gradients, output " + at);
                    assertEquals(expected, inference.data()[at], "inference, output " + at);
                }
            }
        }
    }

    /** The gradient goes to the winner: the first of equal maxima. */
    @Test
    void gradientGoesToTheFirstOfEqualMaxima() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 2}, 1, 1, 2, 2).requiresGrad(true);
        Autograd.backward(MaxPool2d.apply(x, PoolParams.of(2, 2, 0)));
        assertEquals(0f, x.grad()[0]);
        assertEquals(1f, x.grad()[1]);
        assertEquals(0f, x.grad()[2]);
    }
}
