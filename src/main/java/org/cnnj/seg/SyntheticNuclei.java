package org.cnnj.seg;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.cnnj.data.Microscope;
import org.cnnj.util.Rng;

/**
 * Deterministic synthetic fluorescence-nuclei images with instance ground truth: elliptical nuclei of
 * varying size, shape and brightness with internal texture, many touching, optical blur, an uneven
 * background, and Poisson (shot) + Gaussian (read) noise. Same seed, same image.
 *
 * <p>Touching nuclei are separated in the ground truth the way a human annotator would: each pixel
 * goes to the nucleus it lies deepest inside.
 */
public final class SyntheticNuclei {
    /** An image (intensities, roughly 0..255 photon counts) and its instance labels (0 = background). */
    public record Sample(int width, int height, float[] image, int[] labels, int objects) {}

    /** Generation settings; {@link #defaults()} gives crowded, noisy 8-bit-like images. */
    public record Settings(
            int minRadius, int maxRadius, double density, double photonsPerUnit, double readNoise, double blurSigma) {
        public static Settings defaults() {
            return new Settings(5, 11, 0.0035, 1.0, 4.0, 1.2);
        }
    }

    private SyntheticNuclei() {}

    public static Sample generate(long seed, int width, int height) {
        return generate(seed, width, height, Settings.defaults());
    }

    public static Sample generate(long seed, int width, int height, Settings s) {
        if (width < 16 || height < 16)
            throw new IllegalArgumentException(
                    "synthetic nuclei: image must be at least 16x16, got " + width + "x" + height);
        Rng rng = new Rng(seed);
        int target = Math.max(1, (int) Math.round(s.density() * width * height));
        double[] cx = new double[target],
                cy = new double[target],
                ra = new double[target],
                rb = new double[target],
                angle = new double[target];
        float[] brightness = new float[target];
        int count = 0;
        for (int attempt = 0; attempt < target * 30 && count < target; attempt++) {
            double a = s.minRadius() + rng.uniform() * (s.maxRadius() - s.minRadius());
            double b = a * (0.6 + 0.4 * rng.uniform());
            double x = a + rng.uniform() * (width - 2 * a), y = a + rng.uniform() * (height - 2 * a);
            boolean tooClose = false;
            for (int i = 0; i < count && !tooClose; i++) {
                // Touching and slightly overlapping nuclei are wanted; near-duplicates are not.
                double d = Math.hypot(x - cx[i], y - cy[i]);
                tooClose = d < 0.85 * (Math.min(a, b) + Math.min(ra[i], rb[i]));
            }
            if (tooClose) continue;
            cx[count] = x;
            cy[count] = y;
            ra[count] = a;
            rb[count] = b;
            angle[count] = rng.uniform() * Math.PI;
            brightness[count] = 90f + 110f * rng.uniform();
            count++;
        }
        int[] labels = new int[width * height];
        float[] signal = new float[width * height];
        float[] depth = new float[width * height];
        for (int i = 0; i < count; i++) {
            double cos = Math.cos(angle[i]), sin = Math.sin(angle[i]);
            int x0 = (int) Math.max(0, cx[i] - ra[i] - 1), x1 = (int) Math.min(width - 1, cx[i] + ra[i] + 1);
            int y0 = (int) Math.max(0, cy[i] - ra[i] - 1), y1 = (int) Math.min(height - 1, cy[i] + ra[i] + 1);
            double phase = rng.uniform() * 6.28, freq = 0.25 + 0.2 * rng.uniform();
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    double dx = x - cx[i], dy = y - cy[i];
                    double u = (dx * cos + dy * sin) / ra[i], v = (-dx * sin + dy * cos) / rb[i];
                    float inside = (float) (1 - (u * u + v * v));
                    if (inside <= 0) continue;
                    int p = y * width + x;
                    if (inside > depth[p]) {
                        depth[p] = inside;
                        labels[p] = i + 1;
                        // Chromatin texture: a gentle ripple across the nucleus.
                        float texture =
                                1f + 0.15f * (float) Math.sin(freq * x + phase) * (float) Math.cos(freq * y - phase);
                        signal[p] = brightness[i] * texture * (0.75f + 0.25f * Math.min(1f, inside * 3));
                    }
                }
            }
        }
        float[] image = Microscope.blur(signal, width, height, s.blurSigma());
        double gx = rng.uniform(-1, 1), gy = rng.uniform(-1, 1), base = 12 + 10 * rng.uniform();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                double background = base * (1 + 0.6 * (gx * x / width + gy * y / height));
                double mean = Math.max(0, (image[p] + background) * s.photonsPerUnit());
                double photons = Microscope.poisson(mean, rng) / s.photonsPerUnit();
                image[p] = (float) Math.max(0, photons + s.readNoise() * rng.normal());
            }
        }
        return new Sample(width, height, image, relabel(labels), countLabels(labels));
    }

    /** Background 0, object interior 1, object boundary 2 (an object pixel with a 4-neighbour of another label). */
    public static int[] threeClass(int[] labels, int width, int height) {
        int[] out = new int[labels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x, l = labels[p];
                if (l == 0) continue;
                boolean edge = (x > 0 && labels[p - 1] != l)
                        || (x < width - 1 && labels[p + 1] != l)
                        || (y > 0 && labels[p - width] != l)
                        || (y < height - 1 && labels[p + width] != l);
                out[p] = edge ? 2 : 1;
            }
        }
        return out;
    }

    /** Labels 1..n with no gaps (some drawn nuclei may be fully covered by others). */
    private static int[] relabel(int[] labels) {
        Map<Integer, Integer> map = new HashMap<>();
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0) out[i] = map.computeIfAbsent(labels[i], k -> map.size() + 1);
        }
        return out;
    }

    private static int countLabels(int[] labels) {
        return (int) Arrays.stream(labels).filter(l -> l != 0).distinct().count();
    }
}
