package org.cnnj.data;

import java.util.Arrays;

/**
 * Percentile normalization (as in CSBDeep/StarDist): v' = (v − p_low)/(p_high − p_low), so models see
 * the same intensity range whatever the camera's bit depth or exposure. The two values are stored with
 * a model so inference normalizes new images the same way.
 */
public record Percentiles(float low, float high) {
    public static Percentiles of(float[] values, double lowPercent, double highPercent) {
        if (values.length == 0) throw new IllegalArgumentException("normalization: the image has no pixels");
        if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100)) {
            throw new IllegalArgumentException("normalization: percentiles must satisfy 0 <= low < high <= 100, got " + lowPercent + ", " + highPercent);
        }
        // A strided sample keeps this O(n) cheap on huge images; 1M values pin percentiles to ~0.1%.
        int step = Math.max(1, values.length / 1_000_000);
        float[] sample = new float[(values.length + step - 1) / step];
        for (int i = 0, j = 0; i < values.length; i += step) sample[j++] = values[i];
        Arrays.sort(sample);
        float lo = sample[(int) Math.floor(lowPercent / 100 * (sample.length - 1))];
        float hi = sample[(int) Math.ceil(highPercent / 100 * (sample.length - 1))];
        return new Percentiles(lo, hi);
    }

    /** Factor of v' = (v − low)·scale; a flat image (high == low) gets 0 instead of a division by zero. */
    public float scale() {
        return high > low ? 1f / (high - low) : 0f;
    }

    /** A normalized copy. */
    public float[] apply(float[] values) {
        float scale = scale();
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) out[i] = (values[i] - low) * scale;
        return out;
    }
}
