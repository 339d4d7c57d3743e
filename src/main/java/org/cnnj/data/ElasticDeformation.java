package org.cnnj.data;

import java.util.Arrays;
import org.cnnj.util.Rng;

/**
 * Elastic deformation of a training patch (as in the U-Net paper): random displacements on a coarse
 * 4×4 grid of control points (Gaussian, σ = magnitude pixels), interpolated bicubically-smooth
 * (bilinear between control points is enough at this grid size) to every pixel; the image is resampled
 * bilinearly, the labels by nearest neighbour so they stay whole classes. Border pixels repeat.
 * Shapes: image [C, S, S] at {@code imageOffset}, labels [S, S] at {@code labelOffset}.
 */
public final class ElasticDeformation {
    private static final int GRID = 4;

    private ElasticDeformation() {}

    /** A patch inside larger arrays: image [C, S, S] from {@code imageOffset}, labels [S, S] from {@code labelOffset}. */
    public record Patch(float[] image, int imageOffset, int channels, int[] labels, int labelOffset, int size) {}

    /** Deforms the patch in place by about {@code magnitude} pixels. */
    public static void apply(Patch p, float magnitude, Rng rng) {
        if (magnitude <= 0) return;
        float[] image = p.image();
        int[] labels = p.labels();
        int imageOffset = p.imageOffset(), channels = p.channels(), labelOffset = p.labelOffset(), size = p.size();
        float[] gx = new float[GRID * GRID], gy = new float[GRID * GRID];
        for (int i = 0; i < gx.length; i++) {
            gx[i] = magnitude * rng.normal();
            gy[i] = magnitude * rng.normal();
        }
        int plane = size * size;
        float[] src = Arrays.copyOfRange(image, imageOffset, imageOffset + channels * plane);
        int[] srcLabels = Arrays.copyOfRange(labels, labelOffset, labelOffset + plane);
        float step = (size - 1f) / (GRID - 1);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                float u = x / step, v = y / step;
                float sx = x + interpolate(gx, u, v), sy = y + interpolate(gy, u, v);
                sx = Math.min(Math.max(sx, 0f), size - 1f);
                sy = Math.min(Math.max(sy, 0f), size - 1f);
                int x0 = Math.min((int) sx, size - 2), y0 = Math.min((int) sy, size - 2);
                float fx = sx - x0, fy = sy - y0;
                for (int c = 0; c < channels; c++) {
                    int base = c * plane + y0 * size + x0;
                    image[imageOffset + c * plane + y * size + x] =
                            (1 - fy) * ((1 - fx) * src[base] + fx * src[base + 1])
                                    + fy * ((1 - fx) * src[base + size] + fx * src[base + size + 1]);
                }
                labels[labelOffset + y * size + x] = srcLabels[Math.round(sy) * size + Math.round(sx)];
            }
        }
    }

    /** Bilinear interpolation of a GRID×GRID field at grid coordinates (u, v). */
    private static float interpolate(float[] field, float u, float v) {
        int i = Math.min((int) u, GRID - 2), j = Math.min((int) v, GRID - 2);
        float fu = u - i, fv = v - j;
        return (1 - fv) * ((1 - fu) * field[j * GRID + i] + fu * field[j * GRID + i + 1])
                + fv * ((1 - fu) * field[(j + 1) * GRID + i] + fu * field[(j + 1) * GRID + i + 1]);
    }
}
