package org.cnnj.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Percentiles by selection give exactly what sorting gives, ties, NaN and 8-bit images included. */
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
