package org.cnnj.seg;

import org.cnnj.runtime.VolumeSize;

/**
 * Resampling of volumes between the grid of a stack and the grid a 3-D model was trained on: linear for values (voxel
 * centres aligned, edges clamped, as PyTorch's interpolate(mode="trilinear", align_corners=False)), nearest for labels.
 * Shapes: [D·H·W] → [nd·nh·nw].
 */
public final class VolumeScaling {
    private VolumeScaling() {}

    public static float[] linear(float[] v, VolumeSize from, VolumeSize to) {
        if (from.equals(to)) return v;
        int d = from.depth(), h = from.height(), w = from.width(), nd = to.depth(), nh = to.height(), nw = to.width();
        float[] out = new float[nd * nh * nw];
        int[] x0 = new int[nw], x1 = new int[nw];
        float[] fx = new float[nw];
        axis(w, nw, x0, x1, fx);
        int[] y0 = new int[nh], y1 = new int[nh];
        float[] fy = new float[nh];
        axis(h, nh, y0, y1, fy);
        int[] z0 = new int[nd], z1 = new int[nd];
        float[] fz = new float[nd];
        axis(d, nd, z0, z1, fz);
        int plane = h * w;
        for (int z = 0; z < nd; z++)
            for (int y = 0; y < nh; y++) {
                int a = z0[z] * plane, b = z1[z] * plane, ra = y0[y] * w, rb = y1[y] * w;
                float wz = fz[z], wy = fy[y];
                int o = (z * nh + y) * nw;
                for (int x = 0; x < nw; x++) {
                    float c00 = lerp(v[a + ra + x0[x]], v[a + ra + x1[x]], fx[x]);
                    float c01 = lerp(v[a + rb + x0[x]], v[a + rb + x1[x]], fx[x]);
                    float c10 = lerp(v[b + ra + x0[x]], v[b + ra + x1[x]], fx[x]);
                    float c11 = lerp(v[b + rb + x0[x]], v[b + rb + x1[x]], fx[x]);
                    out[o + x] = lerp(lerp(c00, c01, wy), lerp(c10, c11, wy), wz);
                }
            }
        return out;
    }

    public static int[] nearest(int[] v, VolumeSize from, VolumeSize to) {
        if (from.equals(to)) return v;
        int d = from.depth(), h = from.height(), w = from.width(), nd = to.depth(), nh = to.height(), nw = to.width();
        int[] out = new int[nd * nh * nw];
        for (int z = 0; z < nd; z++) {
            int sz = Math.min(d - 1, (int) ((z + 0.5) * d / nd));
            for (int y = 0; y < nh; y++) {
                int sy = Math.min(h - 1, (int) ((y + 0.5) * h / nh)), o = (z * nh + y) * nw, i = (sz * h + sy) * w;
                for (int x = 0; x < nw; x++) out[o + x] = v[i + Math.min(w - 1, (int) ((x + 0.5) * w / nw))];
            }
        }
        return out;
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }

    /** For each output index: the two input indices and the weight of the second. */
    private static void axis(int n, int m, int[] i0, int[] i1, float[] f) {
        double scale = (double) n / m;
        for (int i = 0; i < m; i++) {
            double src = Math.max(0, (i + 0.5) * scale - 0.5);
            int lo = Math.min(n - 1, (int) src);
            i0[i] = lo;
            i1[i] = Math.min(n - 1, lo + 1);
            f[i] = (float) (src - lo);
        }
    }
}
