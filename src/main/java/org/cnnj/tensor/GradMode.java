package org.cnnj.tensor;

import java.util.function.Supplier;

/**
 * Per-thread switches for the autograd engine: whether ops record a graph (off for inference and
 * validation) and anomaly detection (every op output and gradient checked for NaN/Inf, naming the op).
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> STATE = ThreadLocal.withInitial(() -> new boolean[] {true, false});

    private GradMode() {}

    public static boolean isEnabled() {
        return STATE.get()[0];
    }

    public static boolean isAnomalyDetection() {
        return STATE.get()[1];
    }

    /** Runs {@code body} without recording a graph; restores the previous mode afterwards. */
    public static <T> T noGrad(Supplier<T> body) {
        boolean[] s = STATE.get();
        boolean previous = s[0];
        s[0] = false;
        try {
            return body.get();
        } finally {
            s[0] = previous;
        }
    }

    /** Turns per-op NaN/Inf checks on or off for this thread (slower; for hunting a diverging run). */
    public static void setAnomalyDetection(boolean on) {
        STATE.get()[1] = on;
    }
}
