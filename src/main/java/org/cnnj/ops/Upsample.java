package org.cnnj.ops;

import java.util.Locale;
import java.util.Map;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Resizing by interpolation (torch.nn.functional.interpolate, ONNX Resize). Shapes: x [N, C, H, W] → y [N, C, HO,
 * WO]. Each output index maps to a source coordinate by the ONNX coordinate transformation (half_pixel:
 * (d + ½)/s − ½; pytorch_half_pixel: the same, 0 for a length-1 output; align_corners: d·(in − 1)/(out − 1);
 * asymmetric: d/s); nearest rounds it (floor, ceil, or to nearest with ties down or up), linear blends the two
 * neighbours (edges repeat). Separable: per axis two source indices and a weight. Backward sends each output
 * gradient to the pixels it was read from, with the same weights. {@link #apply(Tensor, int, Mode)} is the whole-
 * factor case CNN-J's own networks use (nearest asymmetric/floor, bilinear half_pixel as PyTorch's
 * align_corners=False).
 */
public final class Upsample {
    public enum Mode {
        NEAREST,
        BILINEAR
    }

    /** ONNX coordinate_transformation_mode values CNN-J honours (PyTorch exports these). */
    public enum Coordinates {
        HALF_PIXEL,
        PYTORCH_HALF_PIXEL,
        ALIGN_CORNERS,
        ASYMMETRIC;

        public String onnx() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** ONNX nearest_mode: how a source coordinate becomes a pixel index. */
    public enum Rounding {
        FLOOR,
        CEIL,
        ROUND_PREFER_FLOOR,
        ROUND_PREFER_CEIL;

        public String onnx() {
            return name().toLowerCase(Locale.ROOT);
        }

        int apply(float v) {
            return switch (this) {
                case FLOOR -> (int) Math.floor(v);
                case CEIL -> (int) Math.ceil(v);
                case ROUND_PREFER_FLOOR -> v == Math.floor(v) + 0.5f ? (int) Math.floor(v) : Math.round(v);
                case ROUND_PREFER_CEIL -> (int) Math.floor(v + 0.5f);
            };
        }
    }

    /** How output pixels read the input. */
    public record Sampling(Mode mode, Coordinates coordinates, Rounding rounding) {
        Map<String, Object> onnx() {
            return mode == Mode.NEAREST
                    ? Trace.attrs(
                            "mode", "nearest",
                            "coordinate_transformation_mode", coordinates.onnx(),
                            "nearest_mode", rounding.onnx())
                    : Trace.attrs("mode", "linear", "coordinate_transformation_mode", coordinates.onnx());
        }
    }

    private static final Sampling NEAREST_FACTOR = new Sampling(Mode.NEAREST, Coordinates.ASYMMETRIC, Rounding.FLOOR);
    private static final Sampling BILINEAR_FACTOR =
            new Sampling(Mode.BILINEAR, Coordinates.HALF_PIXEL, Rounding.ROUND_PREFER_FLOOR);

    private Upsample() {}

    /** Up-sampling by a whole factor (exported as Resize with scales). */
    public static Tensor apply(Tensor x, int scale, Mode mode) {
        Shapes.requireRank("upsample", "input", x, 4, "[N, C, H, W]");
        if (scale < 1) throw new IllegalArgumentException("upsample: scale must be >= 1, got " + scale);
        Sampling s = mode == Mode.NEAREST ? NEAREST_FACTOR : BILINEAR_FACTOR;
        return resize(x, x.dim(2) * scale, x.dim(3) * scale, scale, scale, s, new float[] {1f, 1f, scale, scale});
    }

    /**
     * Resizes to outH × outW; {@code scaleH}/{@code scaleW} are the factors the coordinate transformation divides by
     * (ONNX: the scales given, or output/input size when sizes are given).
     */
    public static Tensor interpolate(Tensor x, int outH, int outW, float scaleH, float scaleW, Sampling s) {
        Shapes.requireRank("interpolate", "input", x, 4, "[N, C, H, W]");
        if (outH < 1 || outW < 1 || !(scaleH > 0) || !(scaleW > 0))
            throw new IllegalArgumentException("interpolate: output " + outH + "x" + outW + " and scales " + scaleH
                    + ", " + scaleW + " must be positive");
        // Exported with scales where they give this output size (any batch and image size then runs), else with sizes.
        boolean exact =
                Math.floor(x.dim(2) * (double) scaleH) == outH && Math.floor(x.dim(3) * (double) scaleW) == outW;
        return resize(x, outH, outW, scaleH, scaleW, s, exact ? new float[] {1f, 1f, scaleH, scaleW} : null);
    }

    /** {@code scales} non-null: traced as Resize with these scales; null: with the output sizes. */
    private static Tensor resize(Tensor x, int oh, int ow, float scaleH, float scaleW, Sampling s, float[] scales) {
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        Axis rows = new Axis(h, oh, scaleH, s), cols = new Axis(w, ow, scaleW, s);
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
        Map<String, Object> onnx = s.onnx();
        return Trace.traced(
                Tensor.result(
                        "upsample_" + s.mode().name().toLowerCase(Locale.ROOT),
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
                scales != null
                        ? new Object[] {x, "", scales}
                        : new Object[] {x, "", "", new long[] {x.dim(0), x.dim(1), oh, ow}});
    }

    /** For each output index along one axis: the two source indices and the weight of the second. */
    private static final class Axis {
        final int[] i0, i1;
        final float[] frac;

        Axis(int in, int out, float scale, Sampling s) {
            i0 = new int[out];
            i1 = new int[out];
            frac = new float[out];
            for (int d = 0; d < out; d++) {
                float src = source(d, in, scale, s.coordinates());
                if (s.mode() == Mode.NEAREST) {
                    i0[d] = i1[d] = Math.max(0, Math.min(in - 1, s.rounding().apply(src)));
                    continue;
                }
                src = Math.max(0f, src); // the edge repeats
                int lo = Math.min((int) src, in - 1);
                i0[d] = lo;
                i1[d] = Math.min(lo + 1, in - 1);
                frac[d] = src - lo;
            }
        }

        /**
         * The input coordinate output index d reads (ONNX's coordinate transformation, in float as ONNX Runtime). The
         * resized length is in·scale unrounded, as ONNX defines it (= the output size when sizes were given).
         */
        private static float source(int d, int in, float scale, Coordinates c) {
            float resized = in * scale;
            return switch (c) {
                case HALF_PIXEL -> (d + 0.5f) / scale - 0.5f;
                case PYTORCH_HALF_PIXEL -> resized > 1 ? (d + 0.5f) / scale - 0.5f : 0f;
                case ALIGN_CORNERS -> resized <= 1 ? 0f : d * (in - 1) / (resized - 1);
                case ASYMMETRIC -> d / scale;
            };
        }
    }
}
