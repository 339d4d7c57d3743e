package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Parallel;

/** Small reductions shared by several ops' backward passes. */
final class Reductions {
    /** Weight-gradient work items per call at least (batch 1 still uses the pool). */
    private static final int MIN_WEIGHT_ITEMS = 4;

    private Reductions() {}

    /** Adds one item's partial dWᵀ [groups][K × CO/G] for sample {@code sample}, panels [p0, p1), into {@code dwt}. */
    @FunctionalInterface
    interface WeightWork {
        void run(int sample, int p0, int p1, float[] dwt);
    }

    /**
     * A convolution's weight gradient, split into (sample, chunk of panels) items run in parallel; the
     * chunk count depends only on the batch size, and the partial dWᵀ are added into dw [CO, K] in item
     * order, so the result does not depend on the thread count.
     */
    static void weightGradient(int n, int panels, int groups, int k, int outPerGroup, float[] dw, WeightWork work) {
        int chunks = Math.min(panels, Math.max(1, (MIN_WEIGHT_ITEMS + n - 1) / n)), items = n * chunks;
        float[][] partial = new float[items][];
        Parallel.forEach(items, item -> {
            int s = item / chunks, chunk = item % chunks;
            float[] dwt = BufferPool.takeZeroed(groups * k * outPerGroup);
            work.run(s, chunk * panels / chunks, (chunk + 1) * panels / chunks, dwt);
            partial[item] = dwt;
        });
        for (float[] dwt : partial) {
            for (int grp = 0; grp < groups; grp++) {
                for (int co = 0; co < outPerGroup; co++) {
                    int dst = (grp * outPerGroup + co) * k, src = grp * k * outPerGroup + co;
                    for (int r = 0; r < k; r++) dw[dst + r] += dwt[src + r * outPerGroup];
                }
            }
            BufferPool.give(dwt);
        }
    }

    /** out[c] += Σ_{n,i} v[(n·C + c)·plane + i]: the gradient of a per-channel bias. */
    static void addChannelSums(float[] v, int n, int channels, int plane, float[] out) {
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int s = 0; s < n; s++) sum += sum(v, (s * channels + c) * plane, plane);
            out[c] += (float) sum;
        }
    }

    /**
     * Σ v[from + i] for i < len, in 8 interleaved float partial sums added in a fixed order. One running sum is a
     * chain of dependent adds (one per 4 cycles, measured ~10% of a U-Net step across batch norm and bias
     * gradients); eight independent chains keep the adders busy, and the order never depends on the machine.
     */
    static double sum(float[] v, int from, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from, end = from + len, blocked = from + (len & ~7);
        for (; i < blocked; i += 8) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
            s4 += v[i + 4];
            s5 += v[i + 5];
            s6 += v[i + 6];
            s7 += v[i + 7];
        }
        for (; i < end; i++) s0 += v[i];
        return ((double) s0 + s1) + ((double) s2 + s3) + (((double) s4 + s5) + ((double) s6 + s7));
    }

    /** Σ (v[from + i] − mean)² for i < len, in the interleaved order of {@link #sum}. */
    static double squaredDeviations(float[] v, float mean, int from, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from, end = from + len, blocked = from + (len & ~7);
        for (; i < blocked; i += 8) {
            float d0 = v[i] - mean, d1 = v[i + 1] - mean, d2 = v[i + 2] - mean, d3 = v[i + 3] - mean;
            float d4 = v[i + 4] - mean, d5 = v[i + 5] - mean, d6 = v[i + 6] - mean, d7 = v[i + 7] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        for (; i < end; i++) s0 += (v[i] - mean) * (v[i] - mean);
        return ((double) s0 + s1) + ((double) s2 + s3) + (((double) s4 + s5) + ((double) s6 + s7));
    }

    /** Σ u[from + i]·(v[from + i] − shift) for i < len, in the interleaved order of {@link #sum}. */
    static double dot(float[] u, float[] v, float shift, int from, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from, end = from + len, blocked = from + (len & ~7);
        for (; i < blocked; i += 8) {
            s0 += u[i] * (v[i] - shift);
            s1 += u[i + 1] * (v[i + 1] - shift);
            s2 += u[i + 2] * (v[i + 2] - shift);
            s3 += u[i + 3] * (v[i + 3] - shift);
            s4 += u[i + 4] * (v[i + 4] - shift);
            s5 += u[i + 5] * (v[i + 5] - shift);
            s6 += u[i + 6] * (v[i + 6] - shift);
            s7 += u[i + 7] * (v[i + 7] - shift);
        }
        for (; i < end; i++) s0 += u[i] * (v[i] - shift);
        return ((double) s0 + s1) + ((double) s2 + s3) + (((double) s4 + s5) + ((double) s6 + s7));
    }

    /** out += parts[0] + parts[1] + … in that order, so the result never depends on thread timing. */
    static void sumInOrder(float[][] parts, float[] out) {
        for (float[] part : parts) {
            for (int i = 0; i < out.length; i++) out[i] += part[i];
        }
    }
}
