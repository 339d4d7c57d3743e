package org.cnnj.tensor;

/** NaN/Inf detection with messages that say where the bad value came from and what to do. */
public final class Checks {
    private Checks() {}

    public static void requireFinite(String op, String what, Tensor t) {
        int bad = firstNonFinite(t.data());
        if (bad >= 0) {
            throw new ArithmeticException(op + ": " + what + " " + Shapes.str(t.shape()) + " contains "
                    + t.data()[bad] + " at index " + bad + "; check the input image for NaN/Inf pixels"
                    + " (e.g. from a division by zero in preprocessing) or lower the learning rate");
        }
    }

    public static void requireFiniteGradient(String op, float[] grad, int[] shape) {
        int bad = firstNonFinite(grad);
        if (bad >= 0) {
            throw new ArithmeticException(op + ": gradient " + Shapes.str(shape) + " contains " + grad[bad]
                    + " at index " + bad + "; training diverged: lower the learning rate, normalize the input,"
                    + " or enable gradient clipping");
        }
    }

    /** Index of the first NaN or infinite value, or -1. */
    public static int firstNonFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) return i;
        }
        return -1;
    }
}
