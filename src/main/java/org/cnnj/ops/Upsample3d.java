package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * Nearest-neighbour upsampling of a volume by whole factors per axis (d, h, w), the way back up a 3-D U-Net (e.g. (1, 2,
 * 2) where it pooled only in-plane): y[d, h, w] = x[d / sd, h / sh, w / sw], as PyTorch's interpolate(mode="nearest")
 * and ONNX Resize (nearest, asymmetric, floor). Shapes: [N, C, D, H, W] → [N, C, D·sd, H·sh, W·sw]. Backward sums each
 * output block's gradient into its source voxel.
 */
public final class Upsample3d {
    private Upsample3d() {}

    public static Tensor apply(Tensor x, int[] scale) {
        Shapes.requireRank("upsample3d", "input", x, 5, "[N, C, D, H, W]");
        if (scale.length != 3 || scale[0] < 1 || scale[1] < 1 || scale[2] < 1)
            throw new IllegalArgumentException("upsample3d: give three whole factors >= 1 (d, h, w)");
        int planes = x.dim(0) * x.dim(1), d = x.dim(2), h = x.dim(3), w = x.dim(4);
        int od = d * scale[0], oh = h * scale[1], ow = w * scale[2], inVol = d * h * w, outVol = od * oh * ow;
        float[] xs = x.data(), y = BufferPool.take(planes * outVol);
        Parallel.forEach(planes, p -> {
            for (int i = 0; i < od; i++)
                for (int j = 0; j < oh; j++) {
                    int src = p * inVol + (i / scale[0] * h + j / scale[1]) * w, dst = p * outVol + (i * oh + j) * ow;
                    for (int k = 0; k < ow; k++) y[dst + k] = xs[src + k / scale[2]];
                }
        });
        return Trace.traced(
                Tensor.result(
                        "upsample3d_nearest",
                        y,
                        new int[] {x.dim(0), x.dim(1), od, oh, ow},
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            Parallel.forEach(planes, p -> {
                                for (int i = 0; i < od; i++)
                                    for (int j = 0; j < oh; j++) {
                                        int src = p * inVol + (i / scale[0] * h + j / scale[1]) * w,
                                                dst = p * outVol + (i * oh + j) * ow;
                                        for (int k = 0; k < ow; k++) gx[src + k / scale[2]] += gy[dst + k];
                                    }
                            });
                        },
                        x),
                "Resize",
                Trace.attrs(
                        "mode", "nearest",
                        "coordinate_transformation_mode", "asymmetric",
                        "nearest_mode", "floor"),
                x,
                "",
                new float[] {1f, 1f, scale[0], scale[1], scale[2]});
    }
}
