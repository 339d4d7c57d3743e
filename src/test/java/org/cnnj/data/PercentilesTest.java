package org.cnnj.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * Percentiles by selection, and by counting for whole-number images, give exactly what sorting gives: ties, NaN,
 * 8- and 16-bit images, negative values and strided samples of huge images included.
 */
class PercentilesTest {
    @Test
    void selectionEqualsSorting() {
        Rng rng = new Rng(12);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(3000);
            float[] a = new float[n];
            boolean eightBit = trial % 3 == 0; // many ties
            for (int i = 0; i < n; i++) a[i] = eightBit ? rng.nextInt(256) : rng.normal();
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = rng.nextInt(n), k2 = k + rng.nextInt(n - k);
            float[] work = a.clone();
            assertEquals(sorted[k], Percentiles.select(work, 0, n, k), 0f, "trial " + trial);
            assertEquals(sorted[k2], Percentiles.select(work, k, n, k2), 0f, "trial " + trial + " (second)");
        }
    }

    @Test
    void countingWholeNumbersEqualsSorting() {
        Rng rng = new Rng(7);
        int[][] ranges = {{0, 256}, {0, 4096}, {-1000, 65535 - 1000}, {100, 101}, {0, 65536}, {0, 70000}};
        for (int[] range : ranges) {
            for (int n : new int[] {5000, 300_000, 2_500_001}) {
                float[] image = new float[n];
                for (int i = 0; i < n; i++) image[i] = range[0] + rng.nextInt(range[1] - range[0]);
                for (int i = 0; i < n; i += 997) image[i] = Float.NaN;
                int step = Math.max(1, n / 1_000_000);
                float[] sample = new float[(n + step - 1) / step];
                int j = 0;
                for (int i = 0; i < n; i += step) if (Float.isFinite(image[i])) sample[j++] = image[i];
                float[] sorted = Arrays.copyOf(sample, j);
                Arrays.sort(sorted);
                for (double[] q : new double[][] {{1, 99.8}, {0, 100}, {3, 99}, {50, 50.5}}) {
                    Percentiles p = Percentiles.of(image, q[0], q[1]);
                    String what = Arrays.toString(range) + " n=" + n + " " + Arrays.toString(q);
                    assertEquals(sorted[(int) Math.floor(q[0] / 100 * (j - 1))], p.low(), 0f, what);
                    assertEquals(sorted[(int) Math.ceil(q[1] / 100 * (j - 1))], p.high(), 0f, what);
                }
            }
        }
    }

    @Test
    void percentilesAreTheSortedSampleValuesAndSkipNonFinitePixels() {
        Rng rng = new Rng(4);
        float[] image = new float[5000];
        for (int i = 0; i < image.length; i++) image[i] = (float) Math.floor(100 * rng.uniform(0, 1));
        image[17] = Float.NaN;
        image[99] = Float.POSITIVE_INFINITY;
        float[] finite = new float[image.length - 2];
        for (int i = 0, j = 0; i < image.length; i++) if (Float.isFinite(image[i])) finite[j++] = image[i];
        Arrays.sort(finite);
        Percentiles p = Percentiles.of(image, 1, 99.8);
        assertEquals(finite[(int) Math.floor(0.01 * (finite.length - 1))], p.low(), 0f);
        assertEquals(finite[(int) Math.ceil(0.998 * (finite.length - 1))], p.high(), 0f);
    }
}
