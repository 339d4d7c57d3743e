package org.cnnj.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.cnnj.tensor.Tensor;

/** Element-wise comparison with an absolute + relative tolerance, reporting the worst element. */
public final class Close {
    private Close() {}

    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length)
            fail(what + ": length " + actual.length + " != expected " + expected.length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(diff <= allowed) && (worst < 0 || diff - allowed > worstExcess)) {
                worst = i;
                worstExcess = diff - allowed;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst] + " (atol "
                    + atol + ", rtol " + rtol + "); first values "
                    + Arrays.toString(Arrays.copyOf(actual, Math.min(6, actual.length))));
        }
    }

    public static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            fail(what + ": shape " + Arrays.toString(actual.shape()) + " != expected "
                    + Arrays.toString(expected.shape()));
        }
        assertClose(what, expected.data(), actual.data(), atol, rtol);
    }

    /**
     * max |a − b| ≤ tolerance · max(max |a|, floor, 1e-6): a tensor's small entries judged against its scale, not their
     * own (two engines' gradients and weights), with {@code floor} for a tensor whose values are all but zero.
     */
    public static void assertCloseToScale(
            String what, float[] expected, float[] actual, double tolerance, double floor) {
        double scale = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        if (!(diff <= tolerance * Math.max(Math.max(scale, floor), 1e-6)))
            fail(what + ": max difference " + diff + " at scale " + scale);
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
