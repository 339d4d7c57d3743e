package org.cnnj.ops;

import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Rng;

/**
 * Inverted dropout: while training each value (or, spatially, each whole channel plane of
 * [N, C, H, W]) is zeroed with probability p and the rest scaled by 1/(1−p); identity at inference.
 */
public final class Dropout {
    private Dropout() {}

    public static Tensor apply(Tensor x, float p, boolean training, Rng rng) {
        return apply(x, p, training, false, rng);
    }

    public static Tensor apply(Tensor x, float p, boolean training, boolean spatial, Rng rng) {
        if (!(p >= 0f && p < 1f))
            throw new IllegalArgumentException("dropout: probability must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        int group = spatial && x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
        float keep = 1f / (1f - p);
        float[] mask = new float[x.size() / group];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.uniform() >= p ? keep : 0f;
        float[] xs = x.data(), y = new float[xs.length];
        for (int i = 0; i < y.length; i++) y[i] = xs[i] * mask[i / group];
        // Recorded for the training-step graph (onnx.TrainingGraph draws its own mask there); the inference export
        // refuses
        // a node in training mode.
        return Trace.traced(
                Tensor.result(
                        spatial ? "dropout2d" : "dropout",
                        y,
                        x.shape(),
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int i = 0; i < gy.length; i++) gx[i] += gy[i] * mask[i / group];
                        },
                        x),
                "Dropout",
                Trace.attrs("ratio", p, "spatial", group > 1 ? 1L : 0L, "training_mode", 1L),
                x);
    }
}
