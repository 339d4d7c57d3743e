package org.cnnj.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FloatMathTest {
    /** Every float of the normal range's exponents, sampled densely: within 1 ulp of the exact value. */
    @Test
    void expIsWithinTwoUlpOfMathExp() {
        float worst = 0;
        for (float x = -87.3f; x <= 88.7f; x = Math.nextUp(x + 1e-4f)) worst = Math.max(worst, ulpError(x));
        for (int bits = Float.floatToIntBits(1e-30f); bits < Float.floatToIntBits(1f); bits += 997) {
            float x = Float.intBitsToFloat(bits); // tiny arguments, where e^x - 1 ~ x matters
            worst = Math.max(worst, Math.max(ulpError(x), ulpError(-x)));
        }
        assertTrue(worst <= 1, "worst error " + worst + " ulp");
    }

    private static float ulpError(float x) {
        double exact = Math.exp(x);
        return (float) (Math.abs(FloatMath.exp(x) - exact) / Math.ulp((float) exact));
    }

    @Test
    void expAtTheEdgesOfTheRange() {
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-88f));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
        assertEquals(Math.exp(88.72f), FloatMath.exp(88.72f), Math.ulp(Float.MAX_VALUE) * 2.0);
        assertTrue(FloatMath.exp(-87.33f) >= Float.MIN_NORMAL * 0.99f);
    }

    @Test
    void sigmoidIsOneOverOnePlusExp() {
        for (float x = -30; x <= 30; x += 0.01f)
            assertEquals(1 / (1 + Math.exp(-x)), FloatMath.sigmoid(x), 3e-7 * (1 / (1 + Math.exp(-x))) + 1e-12);
        assertEquals(0f, FloatMath.sigmoid(-100f));
        assertEquals(1f, FloatMath.sigmoid(100f));
    }
}
