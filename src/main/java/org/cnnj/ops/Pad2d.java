package org.cnnj.ops;

import java.util.Locale;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Pads the two spatial axes (ONNX Pad / torch.nn.functional.pad on H and W). Shapes: x [N, C, H, W] →
 * y [N, C, top + H + bottom, left + W + right]; in constant mode a negative pad crops. Modes: CONSTANT (the value),
 * REFLECT (mirror without repeating the edge: … 2 1 | 0 1 2 … ), EDGE (repeat the edge). Backward: each output pixel's gradient goes to the input pixel it
 * was read from (none for constant padding).
 */
public final class Pad2d {
    public enum Mode {
        CONSTANT,
        REFLECT,
        EDGE;

        /** ONNX's spelling: "constant", "reflect", "edge". */
        public String onnx() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Pad2d() {}

    public static Tensor apply(Tensor x, int top, int bottom, int left, int right, Mode mode, float value) {
        Shapes.requireRank("pad", "input", x, 4, "[N, C, H, W]");
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        if ((top < 0 || bottom < 0 || left < 0 || right < 0) && mode != Mode.CONSTANT)
            throw new IllegalArgumentException("pad: negative padding (cropping) is only supported in constant mode");
        if (h + top + bottom < 1 || w + left + right < 1)
            throw new IllegalArgumentException("pad: cropping " + h + "x" + w + " by " + (-top - bottom) + "x"
                    + (-left - right) + " leaves nothing");
        if (mode == Mode.REFLECT && (top >= h || bottom >= h || left >= w || right >= w))
            throw new IllegalArgumentException(
                    "pad: reflect padding must be smaller than the image (" + h + "x" + w + ")");
        int oh = h + top + bottom, ow = w + left + right;
        int[] source = new int[oh * ow]; // the input pixel each output pixel reads, or −1 for the constant
        for (int y = 0; y < oh; y++) {
            int sy = from(y - top, h, mode);
            for (int xx = 0; xx < ow; xx++) {
                int sx = from(xx - left, w, mode);
                source[y * ow + xx] = sy < 0 || sx < 0 ? -1 : sy * w + sx;
            }
        }
        float[] in = x.data(), out = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh * ow; i++) out[p * oh * ow + i] = source[i] < 0 ? value : in[p * h * w + source[i]];
        Tensor y = Tensor.result(
                "pad",
                out,
                new int[] {x.dim(0), x.dim(1), oh, ow},
                t -> {
                    float[] gx = x.grad(), gy = t.grad();
                    for (int p = 0; p < planes; p++)
                        for (int i = 0; i < oh * ow; i++)
                            if (source[i] >= 0) gx[p * h * w + source[i]] += gy[p * oh * ow + i];
                },
                x);
        return Trace.traced(
                y,
                "Pad",
                Trace.attrs("mode", mode.onnx()),
                x,
                new long[] {0, 0, top, left, 0, 0, bottom, right},
                value);
    }

    /** The input index an output index i (relative to the input's start) reads, or −1 outside (constant). */
    private static int from(int i, int n, Mode mode) {
        if (i >= 0 && i < n) return i;
        return switch (mode) {
            case CONSTANT -> -1;
            case EDGE -> i < 0 ? 0 : n - 1;
            case REFLECT -> i < 0 ? -i : 2 * (n - 1) - i;
        };
    }
}
