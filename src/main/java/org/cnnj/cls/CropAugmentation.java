package org.cnnj.cls;

import org.cnnj.util.Rng;

/**
 * Random changes a classifier should not care about, applied to a [C, S, S] crop: mirror, 90° rotations, a small
 * rotation and scaling (bilinear, borders continued), and intensity gain and offset (on normalized pixels).
 *
 * @param flips          mirror left-right and up-down, each with probability 1/2
 * @param rotate90       rotate by a random multiple of 90°
 * @param maxDegrees     rotate by up to ± this many degrees (0 = off)
 * @param maxScale       scale by a factor in [1/maxScale, maxScale] (1 = off)
 * @param intensity      multiply by a gain in [1 − i, 1 + i] and add an offset in [−i, i] (0 = off)
 */
public record CropAugmentation(boolean flips, boolean rotate90, double maxDegrees, double maxScale, double intensity) {
    public static final CropAugmentation NONE = new CropAugmentation(false, false, 0, 1, 0);
    /** What microscopy crops usually tolerate: any orientation, ±15°, ×0.9–1.1, ±10 % intensity. */
    public static final CropAugmentation DEFAULT = new CropAugmentation(true, true, 15, 1.1, 0.1);

    public CropAugmentation {
        if (!(maxDegrees >= 0 && maxDegrees <= 180)
                || !(maxScale >= 1 && maxScale <= 2)
                || !(intensity >= 0 && intensity < 1))
            throw new IllegalArgumentException(
                    "augmentation: degrees must be 0..180, scale 1..2 and intensity 0..1, got " + this);
    }

    public float[] apply(float[] crop, int channels, int size, Rng rng) {
        boolean mirrorX = flips && rng.uniform() < 0.5f, mirrorY = flips && rng.uniform() < 0.5f;
        int quarter = rotate90 ? rng.nextInt(4) : 0;
        double angle = maxDegrees > 0 ? Math.toRadians(rng.uniform((float) -maxDegrees, (float) maxDegrees)) : 0;
        double scale =
                maxScale > 1 ? Math.exp(rng.uniform((float) -Math.log(maxScale), (float) Math.log(maxScale))) : 1;
        float gain = intensity > 0 ? 1 + rng.uniform((float) -intensity, (float) intensity) : 1;
        float offset = intensity > 0 ? rng.uniform((float) -intensity, (float) intensity) : 0;
        angle += quarter * Math.PI / 2;
        double cos = Math.cos(angle) / scale, sin = Math.sin(angle) / scale, centre = (size - 1) / 2.0;
        float[] out = new float[crop.length];
        for (int c = 0; c < channels; c++) {
            int plane = c * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    // Output pixel → source position: mirror, then the inverse rotation and scaling about the centre.
                    double dx = (mirrorX ? size - 1 - x : x) - centre, dy = (mirrorY ? size - 1 - y : y) - centre;
                    double sx = centre + cos * dx + sin * dy, sy = centre - sin * dx + cos * dy;
                    out[plane + y * size + x] = gain * bilinear(crop, plane, size, sx, sy) + offset;
                }
            }
        }
        return out;
    }

    /** Bilinear sample at (x, y), positions outside continued from the nearest border pixel. */
    private static float bilinear(float[] v, int plane, int size, double x, double y) {
        x = Math.min(Math.max(x, 0), size - 1);
        y = Math.min(Math.max(y, 0), size - 1);
        int x0 = (int) x, y0 = (int) y, x1 = Math.min(x0 + 1, size - 1), y1 = Math.min(y0 + 1, size - 1);
        float fx = (float) (x - x0), fy = (float) (y - y0);
        float top = v[plane + y0 * size + x0] * (1 - fx) + v[plane + y0 * size + x1] * fx;
        float bottom = v[plane + y1 * size + x0] * (1 - fx) + v[plane + y1 * size + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }
}
