package org.cnnj.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs bioimage.io pre- and postprocessing steps ({@link ProcessingStep}) on a whole tensor, planes [C][H·W], with the
 * specification's arithmetic (as bioimage.io's own Python tools compute it, so a package's test output is reproduced):
 * statistics over the whole image (one sample), standard deviations without Bessel's correction, percentiles linearly
 * interpolated between the two nearest ranks, {@code eps} added to the divisor. Non-finite pixels are left out of the
 * statistics and become 0 in preprocessing (one NaN would otherwise spread through every convolution).
 */
public final class Processing {
    private Processing() {}

    /**
     * {@code planes} after the steps, in new arrays; {@code reference} is the model's input as the user gave it (what
     * scale_mean_variance and a scale_range with a reference_tensor measure), or the planes themselves.
     */
    public static float[][] apply(List<ProcessingStep> steps, float[][] planes, float[][] reference) {
        float[][] x = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) x[c] = planes[c].clone();
        for (ProcessingStep s : steps) x = step(s, x, reference == null ? planes : reference);
        return x;
    }

    /** The preprocessing of a raw image: the steps, then non-finite values as 0. */
    public static float[][] preprocess(List<ProcessingStep> steps, float[][] planes) {
        float[][] x = apply(steps, planes, planes);
        for (float[] p : x) for (int i = 0; i < p.length; i++) if (!Float.isFinite(p[i])) p[i] = 0f;
        return x;
    }

    private static float[][] step(ProcessingStep s, float[][] x, float[][] reference) {
        int channels = x.length;
        switch (s.id()) {
            case "ensure_dtype" -> ensureDtype(x, String.valueOf(s.kwargs().getOrDefault("dtype", "float32")));
            case "sigmoid" -> map(x, (c, v) -> (float) (1 / (1 + Math.exp(-v))));
            case "softmax" -> softmax(x);
            case "clip" -> {
                float lo = (float) s.number("min", Double.NEGATIVE_INFINITY),
                        hi = (float) s.number("max", Double.POSITIVE_INFINITY);
                map(x, (c, v) -> Math.min(hi, Math.max(lo, v)));
            }
            case "binarize" -> {
                float[] t = s.perChannel("threshold", 0.5, channels);
                map(x, (c, v) -> v > t[c] ? 1f : 0f);
            }
            case "scale_linear" -> {
                float[] gain = s.perChannel("gain", 1, channels), offset = s.perChannel("offset", 0, channels);
                map(x, (c, v) -> v * gain[c] + offset[c]);
            }
            case "fixed_zero_mean_unit_variance" -> {
                float[] mean = s.perChannel("mean", 0, channels), std = s.perChannel("std", 1, channels);
                float eps = (float) s.number("eps", 1e-6);
                map(x, (c, v) -> (v - mean[c]) / (std[c] + eps));
            }
            case "zero_mean_unit_variance" -> {
                double[][] m = meanAndStd(x, s.pooledChannels());
                double eps = s.number("eps", 1e-6);
                map(x, (c, v) -> (float) ((v - m[c][0]) / (m[c][1] + eps)));
            }
            case "scale_range" -> {
                float[][] of = s.kwargs().get("reference_tensor") != null ? reference : x;
                if (of.length != channels && !s.pooledChannels())
                    throw new IllegalArgumentException("scale_range: the reference tensor has " + of.length
                            + " channel(s), this one " + channels + "; per-channel ranges need the same count");
                double lo = s.number("min_percentile", 0), hi = s.number("max_percentile", 100);
                if (!(lo >= 0 && lo < hi && hi <= 100))
                    throw new IllegalArgumentException(
                            "scale_range: percentiles must satisfy 0 <= min < max <= 100, got " + lo + ", " + hi);
                double[][] range = percentiles(of, s.pooledChannels(), lo, hi);
                double eps = s.number("eps", 1e-6);
                map(x, (c, v) -> (float) ((v - range[c][0]) / (range[c][1] - range[c][0] + eps)));
            }
            case "scale_mean_variance" -> {
                boolean pooled = s.pooledChannels();
                if (reference.length != channels && !pooled)
                    throw new IllegalArgumentException("scale_mean_variance: the reference tensor has "
                            + reference.length + " channel(s), this one " + channels);
                double[][] m = meanAndStd(x, pooled), r = meanAndStd(reference, pooled);
                double eps = s.number("eps", 1e-6);
                map(x, (c, v) -> (float) ((v - m[c][0]) / (m[c][1] + eps) * (r[c][1] + eps) + r[c][0]));
            }
            default -> throw new IllegalArgumentException("processing step " + s.id() + " is not implemented");
        }
        return x;
    }

    private interface PerChannel {
        float apply(int channel, float value);
    }

    private static void map(float[][] x, PerChannel f) {
        for (int c = 0; c < x.length; c++) {
            float[] p = x[c];
            for (int i = 0; i < p.length; i++) p[i] = f.apply(c, p[i]);
        }
    }

    private static void softmax(float[][] x) {
        int n = x[0].length;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float[] p : x) max = Math.max(max, p[i]);
            for (float[] p : x) sum += Math.exp(p[i] - max);
            for (float[] p : x) p[i] = (float) (Math.exp(p[i] - max) / sum);
        }
    }

    /**
     * numpy's {@code astype}: floats stay; integer types truncate toward zero (clamped to the type's range, where
     * numpy's result is undefined); bool is "not zero".
     */
    private static void ensureDtype(float[][] x, String dtype) {
        double lo, hi;
        switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32", "float64", "float16" -> {
                return;
            }
            case "bool" -> {
                map(x, (c, v) -> v != 0 ? 1f : 0f);
                return;
            }
            case "uint8" -> {
                lo = 0;
                hi = 255;
            }
            case "uint16" -> {
                lo = 0;
                hi = 65535;
            }
            case "uint32" -> {
                lo = 0;
                hi = 4294967295.0;
            }
            case "uint64" -> {
                lo = 0;
                hi = 1.8446744073709552E19;
            }
            case "int8" -> {
                lo = -128;
                hi = 127;
            }
            case "int16" -> {
                lo = -32768;
                hi = 32767;
            }
            case "int32" -> {
                lo = Integer.MIN_VALUE;
                hi = Integer.MAX_VALUE;
            }
            case "int64" -> {
                lo = Long.MIN_VALUE;
                hi = Long.MAX_VALUE;
            }
            default ->
                throw new IllegalArgumentException("ensure_dtype: unknown dtype \"" + dtype
                        + "\"; the specification's are float32, float64, uint8…uint64, int8…int64 and bool");
        }
        map(x, (c, v) -> Float.isFinite(v) ? (float) Math.min(hi, Math.max(lo, (double) (long) v)) : v);
    }

    /** Per channel (or the same for all, pooled) {mean, standard deviation} of the finite values. */
    static double[][] meanAndStd(float[][] x, boolean pooled) {
        double[][] out = new double[x.length][];
        if (pooled) {
            double[] m = moments(x);
            Arrays.fill(out, m);
            return out;
        }
        for (int c = 0; c < x.length; c++) out[c] = moments(new float[][] {x[c]});
        return out;
    }

    private static double[] moments(float[][] planes) {
        double sum = 0;
        long n = 0;
        for (float[] p : planes)
            for (float v : p)
                if (Float.isFinite(v)) {
                    sum += v;
                    n++;
                }
        if (n == 0) return new double[] {0, 0};
        double mean = sum / n, squares = 0;
        for (float[] p : planes) for (float v : p) if (Float.isFinite(v)) squares += (v - mean) * (v - mean);
        return new double[] {mean, Math.sqrt(squares / n)};
    }

    /** Per channel (or pooled) {low, high} percentiles of the finite values, numpy's linear interpolation. */
    static double[][] percentiles(float[][] x, boolean pooled, double low, double high) {
        double[][] out = new double[x.length][];
        if (pooled) {
            double[] r = percentiles(x, low, high);
            Arrays.fill(out, r);
            return out;
        }
        for (int c = 0; c < x.length; c++) out[c] = percentiles(new float[][] {x[c]}, low, high);
        return out;
    }

    private static double[] percentiles(float[][] planes, double low, double high) {
        int n = 0;
        for (float[] p : planes) for (float v : p) if (Float.isFinite(v)) n++;
        if (n == 0) return new double[] {0, 0};
        float[] values = new float[n];
        int j = 0;
        for (float[] p : planes) for (float v : p) if (Float.isFinite(v)) values[j++] = v;
        Arrays.sort(values);
        return new double[] {quantile(values, low / 100), quantile(values, high / 100)};
    }

    private static double quantile(float[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        double fraction = position - below;
        return sorted[below] + (sorted[above] - (double) sorted[below]) * fraction;
    }

    /** True when every step depends on the value alone (none measures the image), so tiles may be processed alone. */
    public static boolean pointwise(List<ProcessingStep> steps) {
        return steps.stream()
                .allMatch(s -> List.of(
                                "binarize",
                                "clip",
                                "ensure_dtype",
                                "fixed_zero_mean_unit_variance",
                                "scale_linear",
                                "sigmoid",
                                "softmax")
                        .contains(s.id()));
    }

    /** The steps as a reader would say them: "zero_mean_unit_variance, then sigmoid". */
    public static String describe(List<ProcessingStep> steps) {
        if (steps == null || steps.isEmpty()) return "none";
        StringBuilder sb = new StringBuilder();
        for (ProcessingStep s : steps) {
            if (s.id().equals("ensure_dtype") && "float32".equals(s.kwargs().get("dtype"))) continue;
            if (!sb.isEmpty()) sb.append(", then ");
            sb.append(s.id().replace('_', ' '));
            if (s.id().equals("scale_range"))
                sb.append(String.format(
                        Locale.ROOT,
                        " (percentiles %s–%s)",
                        s.number("min_percentile", 0),
                        s.number("max_percentile", 100)));
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
