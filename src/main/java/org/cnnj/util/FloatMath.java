package org.cnnj.util;

/**
 * exp and the logistic sigmoid in float, for the per-pixel post-processing of model outputs (softmax over classes,
 * sigmoid of a distance channel) and the training loss's softmax, where {@link Math#exp} costs ~15 ns a call on this project's machines and was a
 * quarter of the time a folder of small images spent outside the engine. Cephes' expf: the argument is reduced to
 * r = x − n·ln 2 with |r| ≤ ln 2 / 2 (ln 2 split in two parts so the product is exact), e^r is a degree-7 polynomial,
 * and 2^n goes into the exponent bits. Within 1 ulp of the exact value over the normal range (0.97 at worst; checked against
 * Math.exp in FloatMathTest); results below the smallest normal float (x < −87.34) are 0 and above the largest
 * (x > 88.72) infinity.
 */
public final class FloatMath {
    private FloatMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HIGH = 0.693359375f, LN2_LOW = -2.12194440e-4f;
    /** e^x overflows float above this and falls below the smallest normal float below {@link #UNDERFLOW}. */
    private static final float OVERFLOW = 88.72283f, UNDERFLOW = -87.33654f;

    public static float exp(float x) {
        if (!(x >= UNDERFLOW)) return x != x ? x : 0f; // NaN stays NaN
        if (x > OVERFLOW) return Float.POSITIVE_INFINITY;
        float n = (float) Math.rint(x * LOG2E); // -126..128
        int e = (int) n;
        float r = x - n * LN2_HIGH - n * LN2_LOW;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1f;
        // 2^128 is split in two so it does not overflow before p < 1 brings it back
        return e > 127 ? p * 2f * Float.intBitsToFloat((e - 1 + 127) << 23) : p * Float.intBitsToFloat((e + 127) << 23);
    }

    /** 1 / (1 + e^−x). */
    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }
}
