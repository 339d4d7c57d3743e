package org.cnnj.tensor;

import java.util.Arrays;

/** Shape arithmetic and the checks that turn a wrong shape into a message that names the fix. */
public final class Shapes {
    private Shapes() {}

    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return (int) n;
    }

    /** Product of dimensions from {@code from} (inclusive) to the end. */
    public static int sizeFrom(int[] shape, int from) {
        int n = 1;
        for (int i = from; i < shape.length; i++) n *= shape[i];
        return n;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    public static void requireRank(String op, String what, Tensor t, int rank, String layout) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must be " + rank + "-D " + layout
                    + " but has shape " + str(t.shape()) + "; reshape it or add the missing batch/channel axes");
        }
    }

    /** {@code t} must hold {@code size} values (as a per-value array beside it does). */
    public static void requireSize(String op, Tensor t, int size) {
        if (t.size() != size)
            throw new IllegalArgumentException(op + ": " + size + " values for a tensor of shape " + str(t.shape())
                    + " (" + t.size() + " values); give one per value");
    }

    public static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + str(a.shape()) + " and " + str(b.shape())
                    + " differ; both inputs must have the same shape (crop, pad or resize one of them)");
        }
    }

    /** Output length of a sliding window (conv, pool) along one axis, or an error naming why it is empty. */
    public static int windowOutput(String op, String axis, int in, int kernel, int stride, int padding, int dilation) {
        int effective = dilation * (kernel - 1) + 1;
        int out = Math.floorDiv(in + 2 * padding - effective, stride) + 1;
        if (out <= 0) {
            throw new IllegalArgumentException(op + ": input " + axis + " " + in + " is too small for kernel " + kernel
                    + " (dilation " + dilation + ", padding " + padding + "); it needs at least "
                    + (effective - 2 * padding) + " pixels: use a larger image or tile, or more padding");
        }
        return out;
    }
}
