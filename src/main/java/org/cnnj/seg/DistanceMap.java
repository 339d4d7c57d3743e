package org.cnnj.seg;

/**
 * The distance-to-boundary target of an instance label image: for each object pixel its Euclidean
 * distance to the nearest pixel outside the object (background or another object's edge), divided by
 * the largest such distance in its object, so every object rises from 0 at its outline to 1 at its
 * centre whatever its size. Touching objects meet in a valley of zeros, which is what lets seeds taken
 * from the upper part of the map separate them. Exact distances (Felzenszwalb–Huttenlocher separable
 * squared EDT); pixels beyond the image border count as inside, so cut objects are not eroded there.
 * Shapes: labels and result [H·W].
 */
public final class DistanceMap {
    private static final float FAR = 1e20f; // "no feature yet": larger than any squared distance in an image

    private DistanceMap() {}

    public static float[] normalized(int[] labels, int width, int height) {
        float[] d = squaredDistance(labels, width, height);
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        float[] peak = new float[max + 1];
        for (int p = 0; p < d.length; p++) {
            d[p] = (float) Math.sqrt(d[p]);
            if (labels[p] > 0) peak[labels[p]] = Math.max(peak[labels[p]], d[p]);
        }
        for (int p = 0; p < d.length; p++) d[p] = labels[p] > 0 && peak[labels[p]] > 0 ? d[p] / peak[labels[p]] : 0f;
        return d;
    }

    /** Squared distance of each pixel to the nearest feature pixel (background, or an object pixel on another object's edge). */
    static float[] squaredDistance(int[] labels, int width, int height) {
        float[] f = new float[labels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x, l = labels[p];
                boolean feature = l == 0
                        || (x > 0 && labels[p - 1] != l && labels[p - 1] != 0)
                        || (x < width - 1 && labels[p + 1] != l && labels[p + 1] != 0)
                        || (y > 0 && labels[p - width] != l && labels[p - width] != 0)
                        || (y < height - 1 && labels[p + width] != l && labels[p + width] != 0);
                f[p] = feature ? 0f : FAR;
            }
        }
        int n = Math.max(width, height);
        double[] line = new double[n], out = new double[n], z = new double[n + 1];
        int[] v = new int[n];
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) line[y] = f[y * width + x];
            transform(line, height, out, v, z);
            for (int y = 0; y < height; y++) f[y * width + x] = (float) out[y];
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) line[x] = f[y * width + x];
            transform(line, width, out, v, z);
            for (int x = 0; x < width; x++) f[y * width + x] = (float) out[x];
        }
        return f;
    }

    /** 1-D squared distance transform of sampled function f: the lower envelope of parabolas rooted at each sample. */
    private static void transform(double[] f, int n, double[] d, int[] v, double[] z) {
        int k = 0;
        v[0] = 0;
        z[0] = Double.NEGATIVE_INFINITY;
        z[1] = Double.POSITIVE_INFINITY;
        for (int q = 1; q < n; q++) {
            double s = intersection(f, q, v[k]);
            while (s <= z[k]) {
                k--;
                s = intersection(f, q, v[k]);
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        k = 0;
        for (int q = 0; q < n; q++) {
            while (z[k + 1] < q) k++;
            double dq = q - v[k];
            d[q] = dq * dq + f[v[k]];
        }
    }

    private static double intersection(double[] f, int q, int r) {
        return ((f[q] + (double) q * q) - (f[r] + (double) r * r)) / (2.0 * (q - r));
    }
}
