package org.cnnj.ops;

/** Small reductions shared by several ops' backward passes. */
final class Reductions {
    private Reductions() {}

    /** out[c] += Σ_{n,i} v[(n·C + c)·plane + i]: the gradient of a per-channel bias. */
    static void addChannelSums(float[] v, int n, int channels, int plane, float[] out) {
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int s = 0; s < n; s++) {
                int base = (s * channels + c) * plane;
                float partial = 0;
                for (int i = 0; i < plane; i++) partial += v[base + i];
                sum += partial;
            }
            out[c] += (float) sum;
        }
    }

    /** out += parts[0] + parts[1] + … in that order, so the result never depends on thread timing. */
    static void sumInOrder(float[][] parts, float[] out) {
        for (float[] part : parts) {
            for (int i = 0; i < out.length; i++) out[i] += part[i];
        }
    }
}
