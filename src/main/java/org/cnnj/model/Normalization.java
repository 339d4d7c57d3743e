package org.cnnj.model;

import org.cnnj.data.Percentiles;

/** Percentile normalization: (v − p(low))/(p(high) − p(low)) per image; none leaves pixels as they are. */
public record Normalization(NormalizationMethod method, double lowPercentile, double highPercentile) {
    public Normalization {
        if (method == null) {
            throw new IllegalArgumentException(
                    "model sidecar: normalization method must be \"percentile\" or \"none\"");
        }
        if (method == NormalizationMethod.PERCENTILE
                && !(lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100)) {
            throw new IllegalArgumentException(
                    "model sidecar: normalization percentiles must satisfy 0 <= low < high <= 100, got " + lowPercentile
                            + " and " + highPercentile);
        }
    }

    public static Normalization none() {
        return new Normalization(NormalizationMethod.NONE, 0, 100);
    }

    public static Normalization percentile(double low, double high) {
        return new Normalization(NormalizationMethod.PERCENTILE, low, high);
    }

    /** CNN-J's default for a method: percentiles 1–99.8 %, or none. */
    public static Normalization of(NormalizationMethod method) {
        return method == NormalizationMethod.NONE ? none() : percentile(1, 99.8);
    }

    /** This normalization's percentiles of {@code values} (to apply the same to other values), or null where it has none. */
    public Percentiles percentiles(float[] values) {
        return method == NormalizationMethod.PERCENTILE ? Percentiles.of(values, lowPercentile, highPercentile) : null;
    }

    /** The values scaled as this normalization says, in a new array ("none": as they are, but NaN/±Inf become 0). */
    public float[] apply(float[] values) {
        if (method == NormalizationMethod.PERCENTILE)
            return Percentiles.of(values, lowPercentile, highPercentile).apply(values);
        float[] out = values.clone(); // as they are, but non-finite pixels would spread through every convolution
        for (int i = 0; i < out.length; i++) if (!Float.isFinite(out[i])) out[i] = 0f;
        return out;
    }
}
