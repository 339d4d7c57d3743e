package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * 3-D average pooling without padding: kernel and stride per axis (d, h, w), as PyTorch's avg_pool3d and ONNX
 * AveragePool on volumes. Shapes: x [N, C, D, H, W] → y [N, C, OD, OH, OW]. Backward spreads each output's gradient
 * evenly over its window.
 */
public final class AvgPool3d {
    private AvgPool3d() {}

    public static Tensor apply(Tensor x, int[] kernel, int[] stride) {
        Shapes.requireRank("avg_pool3d", "input", x, 5, "[N, C, D, H, W]");
        if (kernel.length != 3 || stride.length != 3)
            throw new IllegalArgumentException("avg_pool3d: kernel and stride take three values (d, h, w)");
        int planes = x.dim(0) * x.dim(1);
        int[] in = {x.dim(2), x.dim(3), x.dim(4)}, out = new int[3];
        String[] axis = {"depth", "height", "width"};
        for (int i = 0; i < 3; i++)
            out[i] = Shapes.windowOutput("avg_pool3d", axis[i], in[i], kernel[i], stride[i], 0, 1);
        int inVol = in[0] * in[1] * in[2], outVol = out[0] * out[1] * out[2];
        float scale = 1f / (kernel[0] * kernel[1] * kernel[2]);
        float[] xs = x.data(), y = BufferPool.take(planes * outVol);
        Parallel.forEach(planes, plane -> window(plane, in, out, kernel, stride, (o, i) -> y[o] += xs[i], y, scale));
        return Trace.traced(
                Tensor.result(
                        "avg_pool3d",
                        y,
                        new int[] {x.dim(0), x.dim(1), out[0], out[1], out[2]},
                        result -> {
                            float[] gx = x.grad(), gy = result.grad();
                            Parallel.forEach(
                                    planes,
                                    plane -> window(
                                            plane, in, out, kernel, stride, (o, i) -> gx[i] += gy[o] * scale, null, 0));
                        },
                        x),
                "AveragePool",
                Trace.attrs(
                        "kernel_shape", Conv3dParams.longs(kernel),
                        "strides", Conv3dParams.longs(stride),
                        "pads", new long[6]),
                x);
    }

    private interface Visit {
        void at(int output, int input);
    }

    /** Visits every (output, input) pair of one plane's windows; when {@code sums} is given, averages them. */
    private static void window(
            int plane, int[] in, int[] out, int[] kernel, int[] stride, Visit visit, float[] sums, float scale) {
        int inVol = in[0] * in[1] * in[2], outVol = out[0] * out[1] * out[2];
        int xBase = plane * inVol, yBase = plane * outVol;
        for (int od = 0; od < out[0]; od++)
            for (int oh = 0; oh < out[1]; oh++)
                for (int ow = 0; ow < out[2]; ow++) {
                    int o = yBase + (od * out[1] + oh) * out[2] + ow;
                    if (sums != null) sums[o] = 0;
                    for (int kd = 0; kd < kernel[0]; kd++)
                        for (int kh = 0; kh < kernel[1]; kh++) {
                            int row = xBase + ((od * stride[0] + kd) * in[1] + oh * stride[1] + kh) * in[2];
                            for (int kw = 0; kw < kernel[2]; kw++) visit.at(o, row + ow * stride[2] + kw);
                        }
                    if (sums != null) sums[o] *= scale;
                }
    }
}
