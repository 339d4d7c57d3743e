package org.cnnj.seg;

import org.cnnj.data.Microscope;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.util.Rng;

/**
 * Deterministic synthetic 3-D nuclei with instance ground truth, for demos, tests and training: irregular ellipsoids of
 * varying size, elongation, in-plane orientation and brightness (a few small, bright dividing ones), many touching (each voxel goes to the nucleus it lies deepest
 * inside, as an annotator would split them); sampled with z coarser than xy; textured; dimmer with depth (none to
 * strong attenuation); blurred by a PSF longer in z than in xy, of varying width; uneven background haze; Poisson
 * (shot) and Gaussian (read) noise. Same seed, same volume.
 */
public final class SyntheticVolumes {
    /**
     * Generation settings: nucleus radius range (xy voxels), how much of the volume nuclei fill, z spacing over xy
     * spacing, photons at full brightness (lower: noisier), read noise, PSF sigma in xy (voxels; z is twice as long in
     * physical units). Each volume's brightness varies around {@code photons} (×0.3–5).
     */
    public record Settings(
            double minRadius,
            double maxRadius,
            double fill,
            double zRatio,
            double photons,
            double readNoise,
            double blurXy) {
        public static Settings defaults() {
            return new Settings(6, 11, 0.35, 2.0, 200, 3, 1.0);
        }

        public Settings withZRatio(double r) {
            return new Settings(minRadius, maxRadius, fill, r, photons, readNoise, blurXy);
        }

        /** Nuclei radii from {@code min} to {@code max} xy voxels. */
        public Settings withRadius(double min, double max) {
            return new Settings(min, max, fill, zRatio, photons, readNoise, blurXy);
        }

        public Settings withPhotons(double p) {
            return new Settings(minRadius, maxRadius, fill, zRatio, p, readNoise, blurXy);
        }
    }

    private SyntheticVolumes() {}

    /** A volume of {@code depth} slices of {@code height} × {@code width}, voxel (zRatio, 1, 1) µm. */
    public static LabeledVolume generate(long seed, int depth, int height, int width, Settings s) {
        if (depth < 4 || height < 16 || width < 16)
            throw new IllegalArgumentException(
                    "synthetic volume: at least 4 slices of 16x16, got " + width + "x" + height + "x" + depth);
        Rng rng = new Rng(seed);
        double zr = s.zRatio();
        double meanR = (s.minRadius() + s.maxRadius()) / 2;
        double physicalVolume = (double) width * height * depth * zr;
        int target = Math.max(1, (int) (s.fill() * physicalVolume / (4.0 / 3 * Math.PI * meanR * meanR * meanR)));
        double[][] nuclei = new double[target][]; // cx, cy, cz (physical, xy units), a, b, c, angle, brightness
        int count = 0;
        for (int attempt = 0; attempt < target * 40 && count < target; attempt++) {
            double a = s.minRadius() + rng.uniform() * (s.maxRadius() - s.minRadius());
            double b = a * (0.7 + 0.3 * rng.uniform()), c = a * (0.7 + 0.4 * rng.uniform());
            double x = rng.uniform() * width, y = rng.uniform() * height, z = rng.uniform() * depth * zr;
            boolean fits = true;
            for (int i = 0; i < count && fits; i++) {
                double[] o = nuclei[i];
                double dx = x - o[0], dy = y - o[1], dz = z - o[2];
                // touching allowed, deep overlap not: centres at least 0.75 of the summed mean radii apart
                double min = 0.75 * ((a + b + c) / 3 + (o[3] + o[4] + o[5]) / 3);
                fits = dx * dx + dy * dy + dz * dz >= min * min;
            }
            if (fits) {
                double bright = 0.2 + 0.8 * rng.uniform();
                if (rng.uniform() < 0.05) { // a dividing nucleus: condensed, small and bright
                    a *= 0.55;
                    b *= 0.55;
                    c *= 0.55;
                    bright = 1.5 + rng.uniform();
                }
                nuclei[count++] = new double[] {
                    x,
                    y,
                    z,
                    a,
                    b,
                    c,
                    rng.uniform() * Math.PI,
                    bright,
                    rng.uniform() * 6.3,
                    rng.uniform() * 6.3,
                    0.12 * rng.uniform()
                };
            }
        }
        int plane = width * height, n = plane * depth;
        int[] labels = new int[n];
        float[] depthInside = new float[n];
        float[] signal = new float[n];
        for (int i = 0; i < count; i++)
            paint(nuclei[i], i + 1, labels, depthInside, signal, depth, height, width, zr, rng.nextLong());
        float[] image = new float[n];
        // uneven haze: a smooth gradient plus a broad blob, as out-of-focus light in a thick sample
        double hx = rng.uniform() * width, hy = rng.uniform() * height, hz = rng.uniform() * depth;
        double haze = 0.02 + 0.4 * rng.uniform() * rng.uniform(), spread = Math.max(width, height) * 0.6;
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) {
                    double r2 = ((x - hx) * (x - hx) + (y - hy) * (y - hy) + (z - hz) * (z - hz) * zr * zr)
                            / (spread * spread);
                    image[(z * height + y) * width + x] = (float) (haze * Math.exp(-r2) + 0.03);
                }
        // light lost with depth into the sample (none to strong), and a PSF that varies between microscopes
        double attenuation = rng.uniform() < 0.3 ? 0 : rng.uniform(0f, 1.5f) / (depth * zr);
        for (int z = 0; z < depth; z++) {
            float keep = (float) Math.exp(-attenuation * z * zr);
            for (int p = z * plane; p < (z + 1) * plane; p++) signal[p] *= keep;
        }
        double blurXy = s.blurXy() * rng.uniform(0.7f, 1.8f);
        float[] blurred = Microscope.blur(
                signal, new int[] {depth, height, width}, new double[] {2 * blurXy / zr, blurXy, blurXy});
        for (int p = 0; p < n; p++) image[p] += blurred[p];
        double gain = s.photons() * Math.pow(10, rng.uniform(-0.5f, 0.7f)); // dim to bright samples
        for (int p = 0; p < n; p++) {
            double photons = Math.max(0, image[p]) * gain;
            double shot = photons + Math.sqrt(photons) * rng.normal();
            image[p] = (float) Math.max(0, shot + s.readNoise() * rng.normal() + 100); // camera offset
        }
        return new LabeledVolume(
                "synthetic-" + seed,
                new float[][] {image},
                relabel(labels, count),
                new VolumeSize(depth, height, width),
                new double[] {zr, 1, 1},
                "µm");
    }

    /** Paints one nucleus: voxels where it lies deeper than any nucleus painted before become its own. */
    private static void paint(
            double[] o,
            int id,
            int[] labels,
            float[] deepest,
            float[] signal,
            int depth,
            int height,
            int width,
            double zr,
            long seed) {
        Rng rng = new Rng(seed);
        double cx = o[0],
                cy = o[1],
                cz = o[2],
                a = o[3],
                b = o[4],
                c = o[5],
                cos = Math.cos(o[6]),
                sin = Math.sin(o[6]);
        float bright = (float) o[7];
        double reach = Math.max(a, Math.max(b, c)) * (1 + o[10]) + 1;
        int x0 = (int) Math.max(0, cx - reach), x1 = (int) Math.min(width - 1, cx + reach);
        int y0 = (int) Math.max(0, cy - reach), y1 = (int) Math.min(height - 1, cy + reach);
        int z0 = (int) Math.max(0, (cz - reach) / zr), z1 = (int) Math.min(depth - 1, (cz + reach) / zr);
        // texture: a few bright chromatin spots inside the nucleus
        int spots = 3 + rng.nextInt(4);
        double[][] spot = new double[spots][];
        for (int k = 0; k < spots; k++)
            spot[k] = new double[] {
                cx + (rng.uniform() - 0.5) * a,
                cy + (rng.uniform() - 0.5) * b,
                cz + (rng.uniform() - 0.5) * c,
                0.5 + rng.uniform()
            };
        for (int z = z0; z <= z1; z++)
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) {
                    double dx = x + 0.5 - cx, dy = y + 0.5 - cy, dz = (z + 0.5) * zr - cz;
                    double u = (dx * cos + dy * sin) / a, v = (-dx * sin + dy * cos) / b, w = dz / c;
                    // an irregular outline: the radius varies smoothly with direction by up to o[10]
                    double around = Math.atan2(v, u), up = Math.atan2(w, Math.hypot(u, v));
                    double bump = 1 + o[10] * Math.sin(3 * around + o[8]) * Math.cos(2 * up + o[9]);
                    double r = (u * u + v * v + w * w) / (bump * bump);
                    if (r > 1) continue;
                    int p = (z * height + y) * width + x;
                    float inside = (float) (1 - Math.sqrt(r));
                    if (labels[p] == 0 || inside > deepest[p]) {
                        labels[p] = id;
                        deepest[p] = inside;
                    }
                    double tex = 0;
                    for (double[] sp : spot) {
                        double sx = x - sp[0], sy = y - sp[1], sz = (z + 0.5) * zr - sp[2];
                        tex += 0.25 * Math.exp(-(sx * sx + sy * sy + sz * sz) / (2 * sp[3] * sp[3] * 4));
                    }
                    signal[p] = Math.max(signal[p], (float) (bright * (0.75 + tex)));
                }
    }

    /** Labels 1..k with no gaps (a nucleus wholly covered by its neighbours, or outside, disappears). */
    private static int[] relabel(int[] labels, int count) {
        int[] map = new int[count + 1];
        int next = 0;
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l == 0) continue;
            if (map[l] == 0) map[l] = ++next;
            labels[i] = map[l];
        }
        return labels;
    }
}
