package org.cnnj.seg;

import java.util.Arrays;

/**
 * A 3-D label image seen from around: views turning about its vertical (y) axis, each the objects' nearest surface in
 * its label's colour, darker with depth — the objects shown in 3-D without a 3-D viewer (a stack of RGB frames that
 * ImageJ animates). The volume turns about its centre with its z spacing ({@code zRatio} × the xy pixel) honoured, so
 * anisotropic stacks are not squashed. Shapes: labels [depth][height][width] flattened; frames [views][height][side].
 */
public final class VolumeView {
    /** The frames, each {@code width} × {@code height} packed RGB (0xRRGGBB), the background black. */
    public record Frames(int width, int height, int[][] rgb) {}

    private VolumeView() {}

    /**
     * {@code views} frames a full turn apart ({@code 360 / views} degrees each, the first seen along z); {@code shape}
     * {depth, height, width}; {@code colours} by label: label l takes {@code colours[(l - 1) % (colours.length - 1) +
     * 1]}.
     */
    public static Frames turning(int[] labels, int[] shape, double zRatio, int views, int[] colours) {
        int d = shape[0], h = shape[1], w = shape[2];
        if ((long) d * h * w != labels.length)
            throw new IllegalArgumentException(
                    "the labels hold " + labels.length + " voxels, not " + d + "x" + h + "x" + w);
        if (!(zRatio > 0) || views < 1 || colours.length < 2)
            throw new IllegalArgumentException("a 3-D view needs a z spacing > 0, at least one view and some colours");
        double cx = w / 2.0, cz = d * zRatio / 2.0;
        int side = (int) Math.ceil(Math.hypot(w, d * zRatio)) + 2;
        double reach = Math.hypot(cx, cz); // the farthest a voxel lies from the axis: depth spans ±reach
        int[] surface = surface(labels, d, h, w);
        int[][] frames = new int[views][];
        for (int k = 0; k < views; k++) {
            double angle = 2 * Math.PI * k / views, cos = Math.cos(angle), sin = Math.sin(angle);
            int splat = Math.max(1, (int) Math.ceil(Math.abs(sin) * zRatio + Math.abs(cos) - 1e-9));
            float[] nearest = new float[side * h];
            Arrays.fill(nearest, Float.MAX_VALUE);
            int[] rgb = new int[side * h];
            for (int v : surface) {
                int z = v / (h * w), y = (v / w) % h, x = v % w;
                double px = x + 0.5 - cx, pz = (z + 0.5) * zRatio - cz;
                double u = px * cos + pz * sin + side / 2.0, depth = -px * sin + pz * cos;
                float shade = (float) (1 - 0.6 * (depth + reach) / (2 * reach));
                int colour = shaded(colours[(labels[v] - 1) % (colours.length - 1) + 1], shade);
                for (int j = 0; j < splat; j++) {
                    int column = (int) Math.floor(u - splat / 2.0 + j + 0.5);
                    if (column < 0 || column >= side) continue;
                    int i = y * side + column;
                    if (depth < nearest[i]) {
                        nearest[i] = (float) depth;
                        rgb[i] = colour;
                    }
                }
            }
            frames[k] = rgb;
        }
        return new Frames(side, h, frames);
    }

    /** The labelled voxels with a face on the background or another object: the only ones that can be seen. */
    static int[] surface(int[] labels, int d, int h, int w) {
        int count = 0;
        for (int i = 0; i < labels.length; i++) if (onSurface(labels, i, d, h, w)) count++;
        int[] out = new int[count]; // counted first: a whole volume's worth of indices would double the memory
        count = 0;
        for (int i = 0; i < labels.length; i++) if (onSurface(labels, i, d, h, w)) out[count++] = i;
        return out;
    }

    private static boolean onSurface(int[] labels, int i, int d, int h, int w) {
        int l = labels[i];
        if (l <= 0) return false;
        int x = i % w, y = (i / w) % h, z = i / (w * h);
        boolean inner = x > 0
                && x < w - 1
                && y > 0
                && y < h - 1
                && z > 0
                && z < d - 1
                && labels[i - 1] == l
                && labels[i + 1] == l
                && labels[i - w] == l
                && labels[i + w] == l
                && labels[i - h * w] == l
                && labels[i + h * w] == l;
        return !inner;
    }

    private static int shaded(int rgb, float f) {
        int r = Math.round(((rgb >> 16) & 255) * f),
                g = Math.round(((rgb >> 8) & 255) * f),
                b = Math.round((rgb & 255) * f);
        return (r << 16) | (g << 8) | b;
    }
}
