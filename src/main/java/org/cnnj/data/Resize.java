package org.cnnj.data;

/**
 * Resampling of planes to another size: bilinear for intensities and maps (pixel centres aligned, as
 * PyTorch's interpolate with align_corners=False and ImageJ's "Size…" with averaging off), nearest
 * neighbour for labels so ids stay whole. Shapes: planes [H·W] row-major.
 *
 * <p>A part of an image can be resampled exactly as the whole image would be ({@link Axis#window}): the same
 * destination pixels get the same values, so blocks of a huge image resized one by one match the whole resized at once.
 */
public final class Resize {
    private Resize() {}

    /**
     * Where each destination pixel along one axis samples its source: the two neighbouring source pixels
     * ({@code low}, {@code high}, relative to the source given), the weight of {@code high}, and the nearest one.
     */
    public record Axis(int[] low, int[] high, float[] weight, int[] nearest) {
        /** Pixels [start, start + count) along an axis. */
        public record Span(long start, int count) {}

        public int length() {
            return low.length;
        }

        /** A whole axis of {@code length} source pixels resized to {@code newLength}. */
        public static Axis whole(int length, int newLength) {
            return window(length, newLength, new Span(0, newLength), new Span(0, length));
        }

        /**
         * The {@code destination} pixels of an axis of {@code length} source pixels resized to {@code newLength},
         * sampled from the {@code source} pixels given: exactly what the whole axis's resize gives them where their
         * neighbours lie in that span (else the span's edge pixel).
         */
        public static Axis window(long length, long newLength, Span destination, Span source) {
            long start = destination.start(), sourceStart = source.start();
            int count = destination.count(), sourceCount = source.count();
            int[] low = new int[count], high = new int[count], nearest = new int[count];
            float[] weight = new float[count];
            double s = (double) length / newLength;
            for (int i = 0; i < count; i++) {
                long d = start + i;
                double u = Math.min(Math.max((d + 0.5) * s - 0.5, 0), length - 1);
                long a = (long) u, b = Math.min(a + 1, length - 1);
                weight[i] = (float) (u - a);
                low[i] = local(a, sourceStart, sourceCount);
                high[i] = local(b, sourceStart, sourceCount);
                nearest[i] = local(Math.min(length - 1, (long) Math.floor((d + 0.5) * s)), sourceStart, sourceCount);
            }
            return new Axis(low, high, weight, nearest);
        }

        /**
         * {@code count} samples of an axis of {@code length} pixels at the coordinates first, first + step, … (pixel
         * i's centre at i): bilinear neighbours clamped at the axis's ends, the nearest pixel of each.
         */
        public static Axis sampled(int length, double first, double step, int count) {
            int[] low = new int[count], high = new int[count], nearest = new int[count];
            float[] weight = new float[count];
            for (int i = 0; i < count; i++) {
                double raw = first + i * step, u = Math.min(Math.max(raw, 0), length - 1);
                low[i] = (int) u;
                high[i] = Math.min(low[i] + 1, length - 1);
                weight[i] = (float) (u - low[i]);
                nearest[i] = (int) Math.min(length - 1, Math.max(0, Math.floor(raw + 0.5)));
            }
            return new Axis(low, high, weight, nearest);
        }

        private static int local(long index, long start, int count) {
            return (int) Math.min(Math.max(index - start, 0), count - 1);
        }
    }

    /** The size {@code length} becomes at {@code scale}: at least 1 pixel. */
    public static int scaled(int length, double scale) {
        return Math.max(1, (int) Math.round(length * scale));
    }

    /** {@link #scaled(int, double)} for the sides of images that may exceed an int's pixel count in all. */
    public static long scaled(long length, double scale) {
        return Math.max(1, Math.round(length * scale));
    }

    /** Every plane of [C][H·W] resized bilinearly to newWidth × newHeight (new arrays). */
    public static float[][] bilinear(float[][] planes, int width, int height, int newWidth, int newHeight) {
        float[][] out = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) out[c] = bilinear(planes[c], width, height, newWidth, newHeight);
        return out;
    }

    public static float[] bilinear(float[] src, int width, int height, int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return src.clone();
        return bilinear(src, width, Axis.whole(width, newWidth), Axis.whole(height, newHeight));
    }

    /** A plane {@code width} pixels wide sampled bilinearly at the columns {@code xs} and rows {@code ys}. */
    public static float[] bilinear(float[] src, int width, Axis xs, Axis ys) {
        int newWidth = xs.length();
        float[] out = new float[newWidth * ys.length()];
        int[] x0 = xs.low(), x1 = xs.high();
        float[] fx = xs.weight();
        for (int y = 0; y < ys.length(); y++) {
            float fy = ys.weight()[y];
            int r0 = ys.low()[y] * width, r1 = ys.high()[y] * width, o = y * newWidth;
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
        return nearest(src, width, Axis.whole(width, newWidth), Axis.whole(height, newHeight));
    }

    /** Labels {@code width} pixels wide sampled at the nearest pixels of the columns {@code xs} and rows {@code ys}. */
    public static int[] nearest(int[] src, int width, Axis xs, Axis ys) {
        int[] from = nearestSources(width, xs, ys), out = new int[from.length];
        for (int i = 0; i < out.length; i++) out[i] = src[from[i]];
        return out;
    }

    public static byte[] nearest(byte[] src, int width, int height, int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return src.clone();
        return nearest(src, width, Axis.whole(width, newWidth), Axis.whole(height, newHeight));
    }

    /** A plane {@code width} pixels wide sampled at the nearest pixels of the columns {@code xs} and rows {@code ys}. */
    public static byte[] nearest(byte[] src, int width, Axis xs, Axis ys) {
        int[] from = nearestSources(width, xs, ys);
        byte[] out = new byte[from.length];
        for (int i = 0; i < out.length; i++) out[i] = src[from[i]];
        return out;
    }

    /** For each destination pixel, the source pixel whose area holds its centre. */
    private static int[] nearestSources(int width, Axis xs, Axis ys) {
        int[] out = new int[xs.length() * ys.length()];
        for (int y = 0; y < ys.length(); y++)
            for (int x = 0; x < xs.length(); x++) out[y * xs.length() + x] = ys.nearest()[y] * width + xs.nearest()[x];
        return out;
    }
}
