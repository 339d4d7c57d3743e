package org.cnnj.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class Float16Test {
    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = Float16.toFloat((short) bits);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(f))));
                continue;
            }
            assertEquals(bits, Float16.fromFloat(f) & 0xFFFF, "half 0x" + Integer.toHexString(bits) + " = " + f);
        }
    }

    @Test
    void knownValues() {
        assertEquals(1f, Float16.toFloat((short) 0x3C00));
        assertEquals(-2f, Float16.toFloat((short) 0xC000));
        assertEquals(65504f, Float16.toFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001)); // smallest subnormal
        assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400)); // smallest normal
        assertEquals(0x7C00, Float16.fromFloat(65520f) & 0xFFFF); // rounds past the largest half: infinity
        assertEquals(0x7BFF, Float16.fromFloat(65519f) & 0xFFFF);
        assertEquals(0x3C00, Float16.fromFloat(1f + 0x1p-11f) & 0xFFFF); // a tie goes to the even neighbour
        assertEquals(0x3C02, Float16.fromFloat(1f + 3 * 0x1p-11f) & 0xFFFF);
        assertEquals(0x0000, Float16.fromFloat(0x1p-25f) & 0xFFFF); // half the smallest subnormal: tie to 0
        assertEquals(0x0001, Float16.fromFloat(0x1.8p-25f) & 0xFFFF);
        assertEquals(0x8000, Float16.fromFloat(-0f) & 0xFFFF);
    }

    /** Each float goes to the nearest half (ties to the even one), checked against both neighbours. */
    @Test
    void randomFloatsGoToTheNearestHalf() {
        Rng rng = new Rng(3);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (rng.normal() * Math.pow(2, rng.nextInt(40) - 28));
            short h = Float16.fromFloat(x);
            double got = Float16.toFloat(h), err = Math.abs(got - x);
            for (int step : new int[] {-1, 1}) {
                int other = (h & 0xFFFF) + step;
                if ((other & 0x7FFF) >= 0x7C00 || (other & 0x7FFF) == 0x7FFF || other < 0 || other > 0xFFFF) continue;
                double otherErr = Math.abs(Float16.toFloat((short) other) - (double) x);
                assertTrue(
                        err < otherErr || (err == otherErr && (h & 1) == 0),
                        x + " → " + got + " but " + Float16.toFloat((short) other) + " is as near");
            }
        }
    }
}
