package org.cnnj.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** The branch-free gates give exactly what the comparisons they replace give, special values included. */
class GatesTest {
    private static final float[] SPECIAL = {
        0f,
        -0f,
        Float.MIN_VALUE,
        -Float.MIN_VALUE,
        Float.MIN_NORMAL,
        1f,
        -1f,
        5.9999995f,
        6f,
        6.0000005f,
        Float.MAX_VALUE,
        -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        Float.NaN,
        Float.intBitsToFloat(0xFFC00000) // a negative NaN
    };

    private static float[] values() {
        Rng rng = new Rng(9);
        float[] v = new float[SPECIAL.length + 1000];
        System.arraycopy(SPECIAL, 0, v, 0, SPECIAL.length);
        for (int i = SPECIAL.length; i < v.length; i++) v[i] = 8 * rng.normal();
        return v;
    }

    @Test
    void reluGateEqualsTheComparison() {
        float[] x = values(), gy = new float[x.length], gx = new float[x.length];
        for (int i = 0; i < x.length; i++) gy[i] = 1.5f + i;
        Gates.addWherePositive(gx, x, gy, 0, x.length);
        for (int i = 0; i < x.length; i++) assertEquals(x[i] > 0f ? gy[i] : 0f, gx[i], 0f, "x = " + x[i]);
    }

    @Test
    void clampGateEqualsTheComparison() {
        float[] x = values(), gy = new float[x.length];
        for (int i = 0; i < x.length; i++) gy[i] = -0.5f - i;
        float[][] bounds = {{0f, 6f}, {-1f, 1f}, {Float.NEGATIVE_INFINITY, 0f}, {0f, Float.POSITIVE_INFINITY}, {2f, 2f}
        };
        for (float[] b : bounds) {
            float[] gx = new float[x.length];
            Gates.addWhereInside(gx, x, gy, b[0], b[1], 0, x.length);
            for (int i = 0; i < x.length; i++) {
                float expect = x[i] > b[0] && x[i] < b[1] ? gy[i] : 0f;
                assertEquals(expect, gx[i], 0f, "x = " + x[i] + " in (" + b[0] + ", " + b[1] + ")");
            }
        }
    }
}
