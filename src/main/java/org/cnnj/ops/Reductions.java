package org.cnnj.ops;

import java.util.function.Consumer;
import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Parallel;

/** Small reductions shared by several ops' backward passes. */
final class Reductions {
    /** Weight-gradient work items per call at least (batch 1 still uses the pool). */
    private static final int MIN_WEIGHT_ITEMS = 4;

    private Reductions() {}

    /** Adds one item's partial (for sample {@code sample}, panels [p0, p1)) into {@code part}. */
    @FunctionalInterface
    interface WeightWork {
        void run(int sample, int p0, int p1, float[] part);
    }

    /**
     * A convolution's weight gradient, split into (sample, chunk of panels) items run in parallel (see {@link
     * #splitAndSum}); each item's partial dWᵀ [groups][K × CO/G] is added into dw [CO, K].
     */
    static void weightGradient(int n, int panels, int groups, int k, int outPerGroup, float[] dw, WeightWork work) {
        splitAndSum(n, panels, groups * k * outPerGroup, work, dwt -> {
            for (int grp = 0; grp < groups; grp++) {
                for (int co = 0; co < outPerGroup; co++) {
                    int dst = (grp * outPerGroup + co) * k, src = grp * k * outPerGroup + co;
                    for (int r = 0; r < k; r++) dw[dst + r] += dwt[src + r * outPerGroup];
                }
            }
        });
    }

    /**
     * Runs (sample, chunk of panels) items in parallel, each filling its own zeroed partial of {@code size}
     * floats, then hands the partials to {@code add} in item order. The chunk count depends only on the batch
     * size, so the sum does not depend on the thread count.
     */
    static void splitAndSum(int n, int panels, int size, WeightWork work, Consumer<float[]> add) {
        int chunks = Math.min(panels, Math.max(1, (MIN_WEIGHT_ITEMS + n - 1) / n)), items = n * chunks;
        float[][] partial = new float[items][];
        Parallel.forEach(items, item -> {
            int s = item / chunks, chunk = item % chunks;
            float[] part = BufferPool.takeZeroed(size);
            work.run(s, chunk * panels / chunks, (chunk + 1) * panels / chunks, part);
            partial[item] = part;
        });
        for (float[] part : partial) {
            add.accept(part);
            BufferPool.give(part);
        }
    }

    /** out[c] += Σ_{n,i} v[(n·C + c)·plane + i]: the gradient of a per-channel bias. */
    static void addChannelSums(float[] v, int n, int channels, int plane, float[] out) {
        // One channel per item, its sum in sample order: the same result at any thread count (on one thread the
        // bias gradients took ~1% of a U-Net step).
        Parallel.forEach(channels, c -> {
            double sum = 0;
            for (int s = 0; s < n; s++) sum += sum(v, (s * channels + c) * plane, plane);
            out[c] += (float) sum;
        });
    }

    /** Σ v[from + i] for i < len: the kernel's vectorized, fixed-order sum (8 chains in plain Java). */
    static double sum(float[] v, int from, int len) {
        return Gemm.kernel().sum(v, from, len);
    }

    /** Σ (v[from + i] − mean)² for i < len, in the kernel's order. */
    static double squaredDeviations(float[] v, float mean, int from, int len) {
        return Gemm.kernel().centredDot(len, v, from, mean, v, from, mean);
    }

    /** Σ u[from + i]·(v[from + i] − shift) for i < len, in the kernel's order. */
    static double dot(float[] u, float[] v, float shift, int from, int len) {
        return Gemm.kernel().centredDot(len, u, from, 0f, v, from, shift);
    }

    /** out += parts[0] + parts[1] + … in that order, so the result never depends on thread timing. */
    static void sumInOrder(float[][] parts, float[] out) {
        for (float[] part : parts) {
            for (int i = 0; i < out.length; i++) out[i] += part[i];
        }
    }
}
