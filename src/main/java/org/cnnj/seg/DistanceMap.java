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
        return perObject(squaredDistance(labels, width, height), labels);
    }

    /** Squared distances made distances and divided by each object's largest (in place). */
    private static float[] perObject(float[] d, int[] labels) {
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
        return squaredDistance(labels, width, height, null);
    }

    /** The same where {@code features} (0 = feature, FAR = not), when given, also marks features from outside the plane. */
    private static float[] squaredDistance(int[] labels, int width, int height, float[] features) {
        float[] f = new float[labels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x, l = labels[p];
                boolean feature = l == 0
                        || (x > 0 && labels[p - 1] != l && labels[p - 1] != 0)
                        || (x < width - 1 && labels[p + 1] != l && labels[p + 1] != 0)
                        || (y > 0 && labels[p - width] != l && labels[p - width] != 0)
                        || (y < height - 1 && labels[p + width] != l && labels[p + width] != 0);
                f[p] = feature || (features != null && features[p] == 0f) ? 0f : FAR;
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

    /**
     * The 3-D target of a label volume [D·H·W] whose z spacing is {@code zSpacing} times its xy spacing: distances in xy
     * voxel units (a slice further in z counts {@code zSpacing}), normalized per object; voxels beyond the volume count
     * as inside, as in 2-D. Used for 3-D training; {@code depth} 1 gives {@link #normalized(int[], int, int)}.
     */
    public static float[] normalized(int[] labels, int width, int height, int depth, double zSpacing) {
        int plane = width * height;
        float[] d = new float[labels.length];
        float[] slice = new float[plane];
        int[] sliceLabels = new int[plane];
        for (int z = 0; z < depth; z++) {
            System.arraycopy(labels, z * plane, sliceLabels, 0, plane);
            // in-plane passes with the feature test extended to the slices above and below
            for (int p = 0; p < plane; p++) {
                int q = z * plane + p, l = labels[q];
                boolean feature = l == 0
                        || (z > 0 && labels[q - plane] != l && labels[q - plane] != 0)
                        || (z < depth - 1 && labels[q + plane] != l && labels[q + plane] != 0);
                slice[p] = feature ? 0f : FAR;
            }
            float[] inPlane = squaredDistance(sliceLabels, width, height, slice);
            System.arraycopy(inPlane, 0, d, z * plane, plane);
        }
        if (depth > 1) {
            double[] line = new double[depth], out = new double[depth], zs = new double[depth + 1];
            int[] v = new int[depth];
            for (int p = 0; p < plane; p++) {
                for (int z = 0; z < depth; z++) line[z] = d[z * plane + p];
                transform(line, depth, zSpacing, out, v, zs);
                for (int z = 0; z < depth; z++) d[z * plane + p] = (float) out[z];
            }
        }
        return perObject(d, labels);
    }

    /** 1-D squared distance transform of sampled function f: the lower envelope of parabolas rooted at each sample. */
    private static void transform(double[] f, int n, double[] d, int[] v, double[] z) {
        transform(f, n, 1.0, d, v, z);
    }

    /** The same with samples {@code spacing} apart (sample q at position q·spacing). */
    private static void transform(double[] f, int n, double spacing, double[] d, int[] v, double[] z) {
        int k = 0;
        v[0] = 0;
        z[0] = Double.NEGATIVE_INFINITY;
        z[1] = Double.POSITIVE_INFINITY;
        for (int q = 1; q < n; q++) {
            double s = intersection(f, q, v[k], spacing);
            while (s <= z[k]) {
                k--;
                s = intersection(f, q, v[k], spacing);
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        k = 0;
        for (int q = 0; q < n; q++) {
            while (z[k + 1] < q * spacing) k++;
            double dq = (q - v[k]) * spacing;
            d[q] = dq * dq + f[v[k]];
        }
    }

    private static double intersection(double[] f, int q, int r, double spacing) {
        double pq = q * spacing, pr = r * spacing;
        return ((f[q] + pq * pq) - (f[r] + pr * pr)) / (2.0 * (pq - pr));
    }
}
