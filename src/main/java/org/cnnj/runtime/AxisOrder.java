package org.cnnj.runtime;

import org.cnnj.tensor.Tensor;

/**
 * A network whose tensors are not [batch, channel, y, x] — channels last ("byxc", as models from TensorFlow keep them
 * when converted to ONNX), or without a batch or channel axis ("cyx", "byx", "yx") — run as CNN-J runs every network:
 * windows [1, C, H, W] in, [1, K, H, W] out. The axes are letters of b, c, y and x in the network's order.
 */
public final class AxisOrder implements Engine {
    /** CNN-J's own order. */
    public static final String STANDARD = "bcyx";

    private final Engine inner;
    private final String input, output;

    private AxisOrder(Engine inner, String input, String output) {
        this.inner = inner;
        this.input = input;
        this.output = output;
    }

    /** {@code inner} as it is when both orders are {@link #STANDARD}, else wrapped. */
    public static Engine of(Engine inner, String input, String output) {
        check(input);
        check(output);
        return STANDARD.equals(input) && STANDARD.equals(output) ? inner : new AxisOrder(inner, input, output);
    }

    /** Refuses anything but y and x, in that order, with b and c optional anywhere. */
    public static void check(String axes) {
        String spatial = axes.replaceAll("[bc]", "");
        if (!spatial.equals("yx") || axes.chars().distinct().count() != axes.length())
            throw new IllegalArgumentException("axes \"" + axes + "\": CNN-J runs 2-D models whose tensors have the"
                    + " axes y and x in that order, with batch (b) and channel (c) anywhere or absent");
    }

    @Override
    public Tensor run(Tensor x) {
        Tensor out = inner.run(arrange(x, input));
        return standard(out, output);
    }

    /** x [1, C, H, W] in the order {@code axes} (a missing axis must have size 1, except an absent batch). */
    static Tensor arrange(Tensor x, String axes) {
        int c = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (axes.indexOf('c') < 0 && c != 1)
            throw new IllegalArgumentException(
                    "the model takes one channel (its input has no channel axis) but the image has " + c);
        int[] shape = new int[axes.length()];
        for (int i = 0; i < shape.length; i++) shape[i] = size(axes.charAt(i), c, h, w);
        if (axes.indexOf('c') < axes.indexOf('y') || axes.indexOf('c') < 0 || c == 1)
            return Tensor.of(x.data(), shape); // channels before the rows: the same bytes
        float[] in = x.data(), out = new float[in.length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h * w; i++) out[i * c + ch] = in[ch * h * w + i];
        return Tensor.of(out, shape);
    }

    /** An output in the order {@code axes} as [1, K, H, W]. */
    static Tensor standard(Tensor y, String axes) {
        if (y.rank() != axes.length())
            throw new IllegalStateException("the model's output has " + y.rank() + " axes but its description names "
                    + axes.length() + " (" + axes + ")");
        int ci = axes.indexOf('c'),
                k = ci < 0 ? 1 : y.dim(ci),
                h = y.dim(axes.indexOf('y')),
                w = y.dim(axes.indexOf('x'));
        if (ci < axes.indexOf('y') || k == 1) return Tensor.of(y.data(), 1, k, h, w);
        float[] in = y.data(), out = new float[in.length];
        for (int i = 0; i < h * w; i++) for (int ch = 0; ch < k; ch++) out[ch * h * w + i] = in[i * k + ch];
        return Tensor.of(out, 1, k, h, w);
    }

    private static int size(char axis, int c, int h, int w) {
        return switch (axis) {
            case 'b' -> 1;
            case 'c' -> c;
            case 'y' -> h;
            default -> w;
        };
    }

    @Override
    public String describe() {
        return inner.describe() + " (tensors " + input + " → " + output + ")";
    }

    @Override
    public void close() {
        inner.close();
    }
}
