package org.cnnj.ops;

import java.util.Map;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Up-sampling by an integer factor. Shapes: x [N, C, H, W] → y [N, C, H·s, W·s]. Nearest copies
 * pixels; bilinear follows PyTorch align_corners=False (ONNX Resize half_pixel): source coordinate
 * (dst + ½)/s − ½, clamped at 0. Backward sends each output gradient to the pixels it was read from.
 */
public final class Upsample {
    public enum Mode {
        NEAREST,
        BILINEAR
    }

    private Upsample() {}

    public static Tensor apply(Tensor x, int scale, Mode mode) {
        Shapes.requireRank("upsample", "input", x, 4, "[N, C, H, W]");
        if (scale < 1) throw new IllegalArgumentException("upsample: scale must be >= 1, got " + scale);
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3), oh = h * scale, ow = w * scale;
        Axis rows = new Axis(h, oh, scale, mode), cols = new Axis(w, ow, scale, mode);
        float[] xs = x.data(), y = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            int xb = p * h * w, yb = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xb + rows.i0[i] * w, r1 = xb + rows.i1[i] * w;
                float fr = rows.frac[i];
                for (int j = 0; j < ow; j++) {
                    int c0 = cols.i0[j], c1 = cols.i1[j];
                    float fc = cols.frac[j];
                    float top = xs[r0 + c0] + fc * (xs[r0 + c1] - xs[r0 + c0]);
                    float bottom = xs[r1 + c0] + fc * (xs[r1 + c1] - xs[r1 + c0]);
                    y[yb + i * ow + j] = top + fr * (bottom - top);
                }
            }
        }
        // ONNX Resize: nearest reads floor(dst/s) ("asymmetric", "floor"); bilinear is "half_pixel" like PyTorch.
        Map<String, Object> onnx = mode == Mode.NEAREST
                ? Trace.attrs(
                        "mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor")
                : Trace.attrs("mode", "linear", "coordinate_transformation_mode", "half_pixel");
        return Trace.traced(
                Tensor.result(
                        "upsample_" + mode.name().toLowerCase(),
                        y,
                        new int[] {x.dim(0), x.dim(1), oh, ow},
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int p = 0; p < planes; p++) {
                                int xb = p * h * w, yb = p * oh * ow;
                                for (int i = 0; i < oh; i++) {
                                    int r0 = xb + rows.i0[i] * w, r1 = xb + rows.i1[i] * w;
                                    float fr = rows.frac[i];
                                    for (int j = 0; j < ow; j++) {
                                        int c0 = cols.i0[j], c1 = cols.i1[j];
                                        float fc = cols.frac[j], g = gy[yb + i * ow + j];
                                        gx[r0 + c0] += g * (1 - fr) * (1 - fc);
                                        gx[r0 + c1] += g * (1 - fr) * fc;
                                        gx[r1 + c0] += g * fr * (1 - fc);
                                        gx[r1 + c1] += g * fr * fc;
                                    }
                                }
                            }
                        },
                        x),
                "Resize",
                onnx,
                x,
                "",
                new float[] {1f, 1f, scale, scale});
    }

    /** For each output index along one axis: the two source indices and the weight of the second. */
    private static final class Axis {
        final int[] i0, i1;
        final float[] frac;

        Axis(int in, int out, int scale, Mode mode) {
            i0 = new int[out];
            i1 = new int[out];
            frac = new float[out];
            for (int d = 0; d < out; d++) {
                if (mode == Mode.NEAREST) {
                    i0[d] = i1[d] = d / scale;
                    continue;
                }
                float src = Math.max(0f, (d + 0.5f) / scale - 0.5f);
                int lo = Math.min((int) src, in - 1);
                i0[d] = lo;
                i1[d] = Math.min(lo + 1, in - 1);
                frac[d] = src - lo;
            }
        }
    }
}
