package org.cnnj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class ImagingAugmentationTest {
    private static final int S = 32;

    /** Two bright square nuclei (ids 1 and 2) on a background of 0.1, far apart. */
    private static float[] patch(int[] objects) {
        float[] x = new float[S * S];
        java.util.Arrays.fill(x, 0.1f);
        for (int y = 4; y < 12; y++)
            for (int xx = 4; xx < 12; xx++) {
                x[y * S + xx] = 1;
                objects[y * S + xx] = 1;
                x[(y + 16) * S + xx + 16] = 0.8f;
                objects[(y + 16) * S + xx + 16] = 2;
            }
        return x;
    }

    @Test
    void unevenBrightnessDimsEachObjectByItsOwnFactorAndLeavesTheBackground() {
        boolean differed = false;
        for (int seed = 1; seed <= 20; seed++) {
            int[] objects = new int[S * S];
            float[] x = patch(objects);
            ImagingAugmentation.objects().apply(x, 1, S, objects, new Rng(seed));
            float a = x[8 * S + 8], b = x[24 * S + 24]; // the centres of the two objects
            assertTrue(a >= 0.25f - 1e-6 && a <= 1 + 1e-6, "object 1 scaled into [1/4, 1]: " + a);
            assertTrue(b >= 0.2f - 1e-6 && b <= 0.8f + 1e-6, "object 2 scaled into [1/4, 1] of 0.8: " + b);
            assertEquals(0.1f, x[S - 1], 1e-6, "background far from objects stays");
            assertEquals(0.1f, x[(S - 1) * S], 1e-6);
            differed |= Math.abs(a / 1f - b / 0.8f) > 0.05;
        }
        assertTrue(differed, "the two objects get factors of their own");
    }

    @Test
    void noEffectDrawnLeavesThePatchAsItWas() {
        int[] objects = new int[S * S];
        float[] x = patch(objects), before = x.clone();
        new ImagingAugmentation(0, 0, 0, 0, 0, 0, 0).apply(x, 1, S, objects, new Rng(3));
        assertArrayEquals(before, x);
    }
}
