package org.cnnj.data;

/**
 * Resampling of planes to another size: bilinear for intensities and maps (pixel centres aligned, as
 * PyTorch's interpolate with align_corners=False and ImageJ's "Size…" with averaging off), nearest
 * neighbour for labels so ids stay whole. Shapes: planes [H·W] row-major.
 */
public final class Resize {
    private Resize() {}

    /** The size {@code length} becomes at {@code scale}: at least 1 pixel. */
    public static int scaled(int length, double scale) {
        return Math.max(1, (int) Math.round(length * scale));
    }

    /** Every plane of [C][H·W] resized bilinearly to newWidth × newHeight (new arrays). */
    public static float[][] bilinear(float[][] planes, int width, int height, int newWidth, int newHeight) {
        float[][] out = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) out[c] = bilinear(planes[c], width, height, newWidth, newHeight);
        return out;
    }

    public static float[] bilinear(float[] src, int width, int height, int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return src.clone();
        float[] out = new float[newWidth * newHeight];
        double sx = (double) width / newWidth, sy = (double) height / newHeight;
        int[] x0 = new int[newWidth], x1 = new int[newWidth];
        float[] fx = new float[newWidth];
        for (int x = 0; x < newWidth; x++) {
            double u = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
            x0[x] = (int) u;
            x1[x] = Math.min(x0[x] + 1, width - 1);
            fx[x] = (float) (u - x0[x]);
        }
        for (int y = 0; y < newHeight; y++) {
            double v = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
            int y0 = (int) v, y1 = Math.min(y0 + 1, height - 1);
            float fy = (float) (v - y0);
            int r0 = y0 * width, r1 = y1 * width, o = y * newWidth;
            for (int x = 0; x < newWidth; x++) {
                float top = src[r0 + x0[x]] + fx[x] * (src[r0 + x1[x]] - src[r0 + x0[x]]);
                float bottom = src[r1 + x0[x]] + fx[x] * (src[r1 + x1[x]] - src[r1 + x0[x]]);
                out[o + x] = top + fy * (bottom - top);
            }
        }
        return out;
    }

    public static int[] nearest(int[] src, int width, int height, int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return src.clone();
        int[] from = nearestSources(width, height, newWidth, newHeight), out = new int[from.length];
        for (int i = 0; i < out.length; i++) out[i] = src[from[i]];
        return out;
    }

    public static byte[] nearest(byte[] src, int width, int height, int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return src.clone();
        int[] from = nearestSources(width, height, newWidth, newHeight);
        byte[] out = new byte[from.length];
        for (int i = 0; i < out.length; i++) out[i] = src[from[i]];
        return out;
    }

    /** For each destination pixel, the source pixel whose area holds its centre. */
    private static int[] nearestSources(int width, int height, int newWidth, int newHeight) {
        int[] xs = nearestIndex(width, newWidth),
                ys = nearestIndex(height, newHeight),
                out = new int[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++)
            for (int x = 0; x < newWidth; x++) out[y * newWidth + x] = ys[y] * width + xs[x];
        return out;
    }

    /** Source index of each destination pixel centre. */
    private static int[] nearestIndex(int length, int newLength) {
        int[] idx = new int[newLength];
        double s = (double) length / newLength;
        for (int i = 0; i < newLength; i++) idx[i] = Math.min(length - 1, (int) Math.floor((i + 0.5) * s));
        return idx;
    }
}
