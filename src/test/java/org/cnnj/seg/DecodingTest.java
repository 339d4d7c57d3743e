package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DecodingTest {
    /** Objects 1 (10 px, seeded), 2 (10 px, not seeded), 3 (2 px, seeded) on a 1 × 22 strip. */
    private static final int[] OBJECTS = new int[22];

    private static final boolean[] SEEDS = new boolean[22];

    static {
        for (int i = 0; i < 10; i++) OBJECTS[i] = 1;
        for (int i = 10; i < 20; i++) OBJECTS[i] = 2;
        OBJECTS[20] = OBJECTS[21] = 3;
        SEEDS[4] = SEEDS[21] = true;
    }

    @Test
    void hysteresisKeepsOnlyObjectsTheModelIsSureOfSomewhereAndRenumbers() {
        int[] kept = new Decoding(0.4f, 0.6f, 0).keep(OBJECTS, SEEDS);
        int[] expected = new int[22];
        for (int i = 0; i < 10; i++) expected[i] = 1;
        expected[20] = expected[21] = 2;
        assertArrayEquals(expected, kept);
    }

    @Test
    void specksSmallAgainstTheImagesMedianObjectAreDropped() {
        // Areas 10, 10, 2: median 10; a fifth of it is 2 (kept), a quarter 2.5 (dropped).
        assertEquals(3, Instances.count(new Decoding(0.5f, 0.5f, 0.2f).keep(OBJECTS, null)));
        assertEquals(2, Instances.count(new Decoding(0.5f, 0.5f, 0.25f).keep(OBJECTS, null)));
        assertEquals(OBJECTS, Decoding.DEFAULT.keep(OBJECTS, null), "the default keeps the decoding as it is");
    }

    @Test
    void eachObjectIsOutlinedRelativeToItsOwnPeak() {
        // Decoded on the mask above 0.2: a sure object 1 (peak 1.0), a dim one 2 (peak 0.65) and a faint one 3
        // (peak 0.5) that the model is never sure of.
        float[] p = {0.3f, 0.7f, 1.0f, 0.7f, 0.3f, 0.3f, 0.45f, 0.65f, 0.35f, 0.3f, 0.5f, 0.5f};
        int[] objects = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3};
        Decoding d = Decoding.DEFAULT.withLowest(0.2f);
        // 1: above 0.6 × 1.0 (what foreground 0.6 alone draws); 2: above max(0.2, 0.6 × 0.65 = 0.39), not only
        // above 0.6; 3: dropped, it never passes the seed 0.6.
        assertArrayEquals(new int[] {0, 1, 1, 1, 0, 0, 2, 2, 0, 0, 0, 0}, d.outlineEach(objects, p, 1));
        assertArrayEquals(
                new int[] {0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                d.outlineEach(objects, p, 3),
                "objects left smaller than the smallest object go");
        // the floor: never below lowest, whatever the peak
        assertArrayEquals(
                new int[] {0, 1, 1, 1, 0, 0, 0, 2, 0, 0, 0, 0},
                new Decoding(0.6f, 0.6f, 0, 0.5f).outlineEach(objects, p, 1));
        assertTrue(d.perObject());
        assertFalse(Decoding.DEFAULT.perObject());
    }

    @Test
    void thresholdsOutOfOrderAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Decoding(0.6f, 0.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Decoding(0.5f, 0.5f, 1));
        assertThrows(IllegalArgumentException.class, () -> new Decoding(0.5f, 0.5f, 0, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> new Decoding(0.5f, 0.5f, 0, -0.1f));
    }

    @Test
    void everyThresholdDecidesAsTheExactProbabilityDoes() {
        Random r = new Random(4);
        for (float t : new float[] {0.3f, 0.5f, 0.6f, 0.8f}) {
            Segmenter.Threshold threshold = Segmenter.Threshold.of(t);
            for (int n = 0; n < 20_000; n++) {
                float[] out = {(float) r.nextGaussian() * 4, (float) r.nextGaussian() * 4, (float) r.nextGaussian() * 4
                };
                boolean exact = Segmenter.foreground(out, 0, 1, 3, true) > t;
                assertEquals(exact, threshold.test(out, 0, 1, 3, true), "threshold " + t + " at " + out[0]);
            }
        }
    }
}
