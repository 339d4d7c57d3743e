package org.cnnj.nn;

import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Weight initializers. fan_in = in channels × kernel area, fan_out = out channels × kernel area
 * (for transposed conv weights [C, CO, KH, KW] the roles swap, as PyTorch computes them).
 */
public enum Init {
    /** He/Kaiming normal, gain √2 (ReLU), fan-in: keeps activation variance through ReLU stacks. */
    HE_NORMAL,
    /** He/Kaiming uniform, gain √2, fan-in. */
    HE_UNIFORM,
    /** Xavier/Glorot uniform: bound √(6/(fan_in + fan_out)); for sigmoid/tanh or linear heads. */
    XAVIER_UNIFORM,
    /** Xavier/Glorot normal: std √(2/(fan_in + fan_out)). */
    XAVIER_NORMAL;

    /** Fills a weight of shape [d0, d1, kh, kw] (or [out, in]) in place. */
    public void fill(Tensor weight, Rng rng) {
        int[] s = weight.shape();
        int receptive = 1;
        for (int i = 2; i < s.length; i++) receptive *= s[i];
        int fanIn = s[1] * receptive, fanOut = s[0] * receptive;
        float[] w = weight.data();
        switch (this) {
            case HE_NORMAL -> normal(w, (float) Math.sqrt(2.0 / fanIn), rng);
            case HE_UNIFORM -> uniform(w, (float) Math.sqrt(6.0 / fanIn), rng);
            case XAVIER_UNIFORM -> uniform(w, (float) Math.sqrt(6.0 / (fanIn + fanOut)), rng);
            case XAVIER_NORMAL -> normal(w, (float) Math.sqrt(2.0 / (fanIn + fanOut)), rng);
        }
    }

    private static void normal(float[] w, float std, Rng rng) {
        for (int i = 0; i < w.length; i++) w[i] = std * rng.normal();
    }

    private static void uniform(float[] w, float bound, Rng rng) {
        for (int i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
    }
}
