package org.cnnj.onnx;

/**
 * IEEE 754 half precision (ONNX FLOAT16) to and from float, rounding to the nearest half and ties to even as numpy's
 * {@code astype(float16)} does (Java 17 has no {@code Float.floatToFloat16}). Half has an 11-bit significand (relative
 * step 2^-11 ≈ 4.9e-4), normal values from 6.1e-5 to 65504 and subnormals down to 6e-8.
 */
public final class Float16 {
    /** The largest finite half. */
    static final float MAX = 65504f;

    private Float16() {}

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0)); // infinity or NaN
        int e = exponent - 127 + 15; // the half's biased exponent
        if (e >= 0x1F) return (short) (sign | 0x7C00); // too large: infinity
        if (e <= 0) { // a half subnormal (or zero): m × 2^-24
            if (e < -10) return (short) sign;
            int full = mantissa | 0x800000, shift = 14 - e;
            int m = full >>> shift, rest = full & ((1 << shift) - 1), half = 1 << (shift - 1);
            if (rest > half || (rest == half && (m & 1) == 1)) m++; // may carry into the smallest normal: right
            return (short) (sign | m);
        }
        int h = sign | (e << 10) | (mantissa >>> 13), rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1)) h++; // a carry may reach the exponent (or infinity)
        return (short) h;
    }

    public static float toFloat(short half) {
        int h = half & 0xFFFF, sign = (h & 0x8000) << 16, exponent = (h >>> 10) & 0x1F, mantissa = h & 0x3FF;
        if (exponent == 0) return Math.copySign(mantissa * 0x1p-24f, sign == 0 ? 1f : -1f);
        if (exponent == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
