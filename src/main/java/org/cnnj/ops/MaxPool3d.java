package org.cnnj.ops;

import java.util.Arrays;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * 3-D max pooling without padding, as a 3-D U-Net pools: kernel and stride per axis (d, h, w), e.g. (1, 2, 2) while z
 * is coarser than xy (nnU-Net), then (2, 2, 2). Shapes: x [N, C, D, H, W] → y [N, C, OD, OH, OW]. The winning voxel of
 * each window is remembered; backward sends the gradient to it alone (the first on ties, a NaN wins as in PyTorch).
 */
public final class MaxPool3d {
    private MaxPool3d() {}

    public static Tensor apply(Tensor x, int[] kernel, int[] stride) {
        Shapes.requireRank("max_pool3d", "input", x, 5, "[N, C, D, H, W]");
        if (kernel.length != 3 || stride.length != 3)
            throw new IllegalArgumentException("max_pool3d: kernel and stride take three values (d, h, w)");
        int planes = x.dim(0) * x.dim(1);
        int[] in = {x.dim(2), x.dim(3), x.dim(4)}, out = new int[3];
        String[] axis = {"depth", "height", "width"};
        for (int i = 0; i < 3; i++)
            out[i] = Shapes.windowOutput("max_pool3d", axis[i], in[i], kernel[i], stride[i], 0, 1);
        int inVol = in[0] * in[1] * in[2], outVol = out[0] * out[1] * out[2];
        float[] xs = x.data(), y = BufferPool.take(planes * outVol);
        boolean keep = GradMode.isEnabled() && x.requiresGrad();
        int[] argmax = keep ? BufferPool.takeInts(y.length) : null;
        Parallel.forEach(planes, plane -> {
            int xBase = plane * inVol, yBase = plane * outVol;
            for (int od = 0; od < out[0]; od++)
                for (int oh = 0; oh < out[1]; oh++)
                    for (int ow = 0; ow < out[2]; ow++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int kd = 0; kd < kernel[0]; kd++)
                            for (int kh = 0; kh < kernel[1]; kh++) {
                                int row = xBase + ((od * stride[0] + kd) * in[1] + oh * stride[1] + kh) * in[2];
                                for (int kw = 0; kw < kernel[2]; kw++) {
                                    int i = row + ow * stride[2] + kw;
                                    float v = xs[i];
                                    if (v > best || v != v || at < 0) {
                                        best = v;
                                        at = i;
                                    }
                                }
                            }
                        int o = yBase + (od * out[1] + oh) * out[2] + ow;
                        y[o] = best;
                        if (argmax != null) argmax[o] = at;
                    }
        });
        return Trace.traced(
                Tensor.result(
                                "max_pool3d",
                                y,
                                new int[] {x.dim(0), x.dim(1), out[0], out[1], out[2]},
                                result -> {
                                    float[] gx = x.grad(), gy = result.grad();
                                    Parallel.forEach(planes, plane -> {
                                        for (int i = plane * outVol; i < (plane + 1) * outVol; i++)
                                            gx[argmax[i]] += gy[i];
                                    });
                                },
                                x)
                        .savedForBackward(keep ? new Object[] {argmax} : new Object[0]),
                "MaxPool",
                Trace.attrs(
                        "kernel_shape", Conv3dParams.longs(kernel),
                        "strides", Conv3dParams.longs(stride),
                        "pads", new long[6]),
                x);
    }

    /** The same kernel and stride on every axis. */
    public static Tensor apply(Tensor x, int size) {
        int[] k = new int[3];
        Arrays.fill(k, size);
        return apply(x, k, k);
    }
}
