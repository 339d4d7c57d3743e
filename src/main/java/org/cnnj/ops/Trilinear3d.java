package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * Trilinear upsampling of a volume by whole factors per axis (d, h, w), as PyTorch's interpolate(mode="trilinear",
 * align_corners=False) and ONNX Resize (linear, half_pixel): output voxel i of an axis reads the input at (i + ½) / s −
 * ½, clamped to the first and last voxel, mixing its two neighbours. Separable: one linear pass per axis (w, then h,
 * then d); backward runs the passes' transposes in reverse. Shapes: [N, C, D, H, W] → [N, C, D·sd, H·sh, W·sw].
 */
public final class Trilinear3d {
    private Trilinear3d() {}

    public static Tensor apply(Tensor x, int[] scale) {
        Shapes.requireRank("trilinear3d", "input", x, 5, "[N, C, D, H, W]");
        if (scale.length != 3 || scale[0] < 1 || scale[1] < 1 || scale[2] < 1)
            throw new IllegalArgumentException("trilinear3d: give three whole factors >= 1 (d, h, w)");
        int planes = x.dim(0) * x.dim(1);
        int[] in = {x.dim(2), x.dim(3), x.dim(4)}, out = {in[0] * scale[0], in[1] * scale[1], in[2] * scale[2]};
        int[] afterW = {in[0], in[1], out[2]}, afterH = {in[0], out[1], out[2]};
        float[] a = pass(x.data(), planes, in, 2, out[2], false);
        float[] b = pass(a, planes, afterW, 1, out[1], false);
        float[] y = pass(b, planes, afterH, 0, out[0], false);
        BufferPool.give(a);
        BufferPool.give(b);
        return Trace.traced(
                Tensor.result(
                        "trilinear3d",
                        y,
                        new int[] {x.dim(0), x.dim(1), out[0], out[1], out[2]},
                        result -> {
                            float[] gb = pass(result.grad(), planes, out, 0, in[0], true);
                            float[] ga = pass(gb, planes, new int[] {in[0], out[1], out[2]}, 1, in[1], true);
                            float[] gx = pass(ga, planes, afterW, 2, in[2], true), into = x.grad();
                            for (int i = 0; i < gx.length; i++) into[i] += gx[i];
                            BufferPool.give(gb);
                            BufferPool.give(ga);
                            BufferPool.give(gx);
                        },
                        x),
                "Resize",
                Trace.attrs("mode", "linear", "coordinate_transformation_mode", "half_pixel"),
                x,
                "",
                new float[] {1f, 1f, scale[0], scale[1], scale[2]});
    }

    /**
     * One linear pass along {@code axis} of [planes, dims]: forward resamples the axis from {@code dims[axis]} to {@code
     * to} voxels; {@code transpose} is its adjoint, from a volume whose axis has {@code dims[axis]} (the upsampled
     * size) back to {@code to} (the original), each output's gradient spread onto the two inputs it read.
     */
    private static float[] pass(float[] v, int planes, int[] dims, int axis, int to, boolean transpose) {
        int n = dims[axis], small = transpose ? to : n, large = transpose ? n : to;
        int[] lo = new int[large], hi = new int[large];
        float[] f = new float[large];
        double s = (double) small / large;
        for (int i = 0; i < large; i++) {
            double src = Math.max(0, (i + 0.5) * s - 0.5);
            lo[i] = Math.min(small - 1, (int) src);
            hi[i] = Math.min(small - 1, lo[i] + 1);
            f[i] = (float) (src - lo[i]);
        }
        int[] od = dims.clone();
        od[axis] = to;
        int outer = 1, below = 1;
        for (int a = 0; a < axis; a++) outer *= dims[a];
        for (int a = axis + 1; a < 3; a++) below *= dims[a];
        int inner = below;
        int inVol = dims[0] * dims[1] * dims[2], outVol = od[0] * od[1] * od[2];
        float[] r = transpose ? BufferPool.takeZeroed(planes * outVol) : BufferPool.take(planes * outVol);
        int lines = planes * outer;
        Parallel.forEach(lines, line -> {
            int src = line * n * inner, dst = line * to * inner;
            for (int i = 0; i < large; i++) {
                int a = lo[i] * inner, b = hi[i] * inner, at = i * inner;
                float wb = f[i], wa = 1 - wb;
                for (int k = 0; k < inner; k++) {
                    if (transpose) {
                        float g = v[src + at + k];
                        r[dst + a + k] += wa * g;
                        r[dst + b + k] += wb * g;
                    } else r[dst + at + k] = wa * v[src + a + k] + wb * v[src + b + k];
                }
            }
        });
        return r;
    }
}
