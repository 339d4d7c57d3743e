package org.cnnj.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Transposed convolution with stride = kernel (the U-Net up-sampling path) against the definition written as loops:
 * values, bias, data, weight and bias gradients, with shapes that cut an image into several panels, batch 1, a
 * rectangular kernel, and a data gradient that adds to one already there.
 */
class NonOverlappingTransposedConvTest {
    @ParameterizedTest
    @CsvSource({
        "2, 3, 64, 13, 20, 2, 2", // 256 taps × 20 px: panels of 6, 6 and 1 rows
        "1, 5, 4, 7, 9, 2, 3",
        "3, 16, 8, 4, 4, 3, 3"
    })
    void equalsTheDefinition(int n, int c, int co, int h, int w, int kh, int kw) {
        assertTrue(NonOverlappingTransposedConv.applies(new ConvParams(kh, kw, 0, 0, 1, 1, 1, 0, 0), kh, kw));
        Random rng = new Random(n * 31 + c);
        float[] x = random(rng, n * c * h * w), wt = random(rng, c * co * kh * kw), b = random(rng, co);
        int oh = h * kh, ow = w * kw;
        float[] dy = random(rng, n * co * oh * ow), earlier = random(rng, x.length);

        Tensor xt = Tensor.of(x.clone(), n, c, h, w).requiresGrad(true);
        Tensor wt0 = Tensor.of(wt.clone(), c, co, kh, kw).requiresGrad(true);
        Tensor bt = Tensor.of(b.clone(), co).requiresGrad(true);
        System.arraycopy(earlier, 0, xt.grad(), 0, x.length); // a gradient from another consumer of x
        Tensor y = TransposedConvolution.apply(xt, wt0, bt, new ConvParams(kh, kw, 0, 0, 1, 1, 1, 0, 0));
        assertArrayEquals(new int[] {n, co, oh, ow}, y.shape());

        float[] yRef = new float[n * co * oh * ow], dxRef = earlier.clone(), dwRef = new float[wt.length];
        float[] dbRef = new float[co];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int at = ((s * co + o) * oh + i) * ow + j;
                        double sum = b[o];
                        for (int ci = 0; ci < c; ci++) {
                            int xi = ((s * c + ci) * h + i / kh) * w + j / kw;
                            int wi = ((ci * co + o) * kh + i % kh) * kw + j % kw;
                            sum += x[xi] * wt[wi];
                            dxRef[xi] += dy[at] * wt[wi];
                            dwRef[wi] += dy[at] * x[xi];
                        }
                        yRef[at] = (float) sum;
                        dbRef[o] += dy[at];
                    }
                }
            }
        }
        assertClose(yRef, y.data(), "y");
        Autograd.backward(y, dy);
        assertClose(dxRef, xt.grad(), "dx");
        assertClose(dwRef, wt0.grad(), "dW");
        assertClose(dbRef, bt.grad(), "db");
    }

    /** The weight gradient is summed in a fixed order: the same bits on one thread as on several. */
    @ParameterizedTest
    @CsvSource({"2, 3, 64, 13, 20, 2, 2", "1, 5, 4, 7, 9, 2, 3"})
    void weightGradientDoesNotDependOnThreads(int n, int c, int co, int h, int w, int kh, int kw) {
        int before = Parallel.threads();
        try {
            float[] one = weightGradient(1, n, c, co, h, w, kh, kw), three = weightGradient(3, n, c, co, h, w, kh, kw);
            assertArrayEquals(one, three);
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static float[] weightGradient(int threads, int n, int c, int co, int h, int w, int kh, int kw) {
        Parallel.setThreads(threads);
        Random rng = new Random(5);
        Tensor x = Tensor.of(random(rng, n * c * h * w), n, c, h, w);
        Tensor wt = Tensor.of(random(rng, c * co * kh * kw), c, co, kh, kw).requiresGrad(true);
        Tensor y = TransposedConvolution.apply(x, wt, null, new ConvParams(kh, kw, 0, 0, 1, 1, 1, 0, 0));
        Autograd.backward(y, random(rng, y.size()));
        return wt.grad().clone();
    }

    private static float[] random(Random rng, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-4f * Math.max(1f, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
        }
    }
}
