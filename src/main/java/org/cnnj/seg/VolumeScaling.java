package org.cnnj.seg;

import org.cnnj.data.Resize;
import org.cnnj.runtime.VolumeSize;

/**
 * Resampling of volumes between the grid of a stack and the grid a 3-D model was trained on: linear for values (voxel
 * centres aligned, edges clamped, as PyTorch's interpolate(mode="trilinear", align_corners=False)), nearest for labels.
 * Shapes: [D·H·W] → [nd·nh·nw].
 */
public final class VolumeScaling {
    private VolumeScaling() {}

    /** Where each destination voxel samples the source along z, y and x ({@link Resize.Axis}: also parts of a volume). */
    public record Axes(Resize.Axis z, Resize.Axis y, Resize.Axis x) {
        /** The whole of {@code from} resampled to {@code to}. */
        public static Axes whole(VolumeSize from, VolumeSize to) {
            return new Axes(
                    Resize.Axis.whole(from.depth(), to.depth()),
                    Resize.Axis.whole(from.height(), to.height()),
                    Resize.Axis.whole(from.width(), to.width()));
        }

        /** The destination's size. */
        public VolumeSize size() {
            return new VolumeSize(z.length(), y.length(), x.length());
        }
    }

    public static float[] linear(float[] v, VolumeSize from, VolumeSize to) {
        return from.equals(to) ? v : linear(v, from, Axes.whole(from, to));
    }

    /** {@code v} (of {@code from}) sampled trilinearly where {@code axes} say. */
    public static float[] linear(float[] v, VolumeSize from, Axes axes) {
        int h = from.height(), w = from.width();
        VolumeSize to = axes.size();
        int nd = to.depth(), nh = to.height(), nw = to.width();
        float[] out = new float[nd * nh * nw];
        int[] x0 = axes.x().low(),
                x1 = axes.x().high(),
                y0 = axes.y().low(),
                y1 = axes.y().high();
        int[] z0 = axes.z().low(), z1 = axes.z().high();
        float[] fx = axes.x().weight(), fy = axes.y().weight(), fz = axes.z().weight();
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
        return from.equals(to) ? v : nearest(v, from, Axes.whole(from, to));
    }

    /** Labels {@code v} (of {@code from}) sampled at the nearest voxels {@code axes} say. */
    public static int[] nearest(int[] v, VolumeSize from, Axes axes) {
        int h = from.height(), w = from.width();
        VolumeSize to = axes.size();
        int nd = to.depth(), nh = to.height(), nw = to.width();
        int[] sz = axes.z().nearest(), sy = axes.y().nearest(), sx = axes.x().nearest();
        int[] out = new int[nd * nh * nw];
        for (int z = 0; z < nd; z++)
            for (int y = 0; y < nh; y++) {
                int o = (z * nh + y) * nw, i = (sz[z] * h + sy[y]) * w;
                for (int x = 0; x < nw; x++) out[o + x] = v[i + sx[x]];
            }
        return out;
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }
}
