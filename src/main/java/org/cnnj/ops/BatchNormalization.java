package org.cnnj.ops;

import java.util.Map;
import org.cnnj.kernel.Gemm;
import org.cnnj.kernel.MicroKernel;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * Batch normalization over (N, H, W) — or (N, D, H, W) of a volume — per channel. Shapes: x [N, C, H, W] or [N, C,
 * D, H, W], gamma/beta [C],
 * running mean/var [C] (updated in place while training). PyTorch semantics: normalization uses the
 * biased batch variance; the running variance is updated with the unbiased one;
 * running = (1 − momentum)·running + momentum·batch.
 *
 * <p>Backward (training): with x̂ = (x − μ)·σ⁻¹ and M = N·H·W values per channel,
 * dx = γσ⁻¹/M · (M·dy − Σdy − x̂·Σ(dy·x̂)); dγ = Σ(dy·x̂); dβ = Σdy. In eval mode μ, σ are constants.
 */
public final class BatchNormalization {
    private BatchNormalization() {}

    public static Tensor apply(
            Tensor x,
            Tensor gamma,
            Tensor beta,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            float momentum,
            float eps) {
        return apply(x, gamma, beta, runningMean, runningVar, training, momentum, eps, false);
    }

    /**
     * With {@code relu}: max(batch_norm(x), 0) as one op, for training (conv → BN → ReLU blocks): the ReLU is
     * applied as the normalized value is written (no second pass, no second activation array), and backward gates dy
     * by the pre-ReLU value recomputed from x in the batch norm's sums and dx pass, where two ops wrote and read a
     * gradient array each. Not traced: export uses the separate ops.
     */
    public static Tensor apply(
            Tensor x,
            Tensor gamma,
            Tensor beta,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            float momentum,
            float eps,
            boolean relu) {
        return apply(x, gamma, beta, runningMean, runningVar, training, momentum, eps, relu, false);
    }

    /**
     * Inference (running statistics, no gradients, no trace): max(batch_norm(x), 0) written over x itself and x
     * returned — for a caller that owns x (a convolution's fresh output), so that no second activation array is taken:
     * at the finest level of a 3-D U-Net on a block of a large stack each is 660 MB.
     */
    public static Tensor applyInPlaceWithRelu(
            Tensor x, Tensor gamma, Tensor beta, float[] runningMean, float[] runningVar, float eps) {
        if (GradMode.isEnabled() || Trace.active())
            throw new IllegalStateException("batch_norm2d in place is for inference only (no gradients, no trace)");
        return apply(x, gamma, beta, runningMean, runningVar, false, 0f, eps, true, true);
    }

    private static Tensor apply(
            Tensor x,
            Tensor gamma,
            Tensor beta,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            float momentum,
            float eps,
            boolean relu,
            boolean inPlace) {
        if (relu && Trace.active())
            throw new IllegalStateException("batch_norm2d with a fused ReLU is not exported; trace the two ops");
        if (x.shape().length != 5) Shapes.requireRank("batch_norm2d", "input", x, 4, "[N, C, H, W] or [N, C, D, H, W]");
        int n = x.dim(0), c = x.dim(1), plane = Shapes.sizeFrom(x.shape(), 2);
        if (gamma.size() != c || beta.size() != c || runningMean.length != c || runningVar.length != c) {
            throw new IllegalArgumentException("batch_norm2d: input " + Shapes.str(x.shape()) + " has " + c
                    + " channels but the layer was built for " + gamma.size());
        }
        long count = (long) n * plane;
        if (training && count < 2) {
            throw new IllegalArgumentException(
                    "batch_norm2d: training needs more than one value per channel, got input " + Shapes.str(x.shape())
                            + "; use a larger batch or patch, or switch the model to eval mode");
        }
        // in place: each value is read before it is written, at the same index
        float[] xs = x.data(),
                y = inPlace ? xs : BufferPool.take(xs.length),
                mean = new float[c],
                invStd = new float[c];
        float[] g = gamma.data(), b = beta.data();
        Parallel.forEach(c, ch -> {
            float mu, var;
            if (training) {
                double sum = 0;
                for (int s = 0; s < n; s++) sum += Reductions.sum(xs, (s * c + ch) * plane, plane);
                mu = (float) (sum / count);
                double sq = 0;
                for (int s = 0; s < n; s++) sq += Reductions.squaredDeviations(xs, mu, (s * c + ch) * plane, plane);
                var = (float) (sq / count);
                runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mu;
                runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * (float) (sq / (count - 1));
            } else {
                mu = runningMean[ch];
                var = runningVar[ch];
            }
            mean[ch] = mu;
            invStd[ch] = (float) (1.0 / Math.sqrt(var + eps));
            float scale = g[ch] * invStd[ch], shift = b[ch] - mu * scale;
            for (int s = 0; s < n; s++) {
                int base = (s * c + ch) * plane;
                if (relu) {
                    for (int i = 0; i < plane; i++) y[base + i] = Math.max(xs[base + i] * scale + shift, 0f);
                } else {
                    for (int i = 0; i < plane; i++) y[base + i] = xs[base + i] * scale + shift;
                }
            }
        });
        if (inPlace) return x;
        Tensor out = Tensor.result(
                relu ? "batch_norm2d_relu" : "batch_norm2d",
                y,
                x.shape(),
                out2 -> backward(x, gamma, beta, out2.grad(), relu, mean, invStd, training, n, c, plane),
                x,
                gamma,
                beta);
        if (relu) return out;
        // Training mode is recorded for the training-step graph (onnx.TrainingGraph), which expands it into the batch
        // statistics and the running-statistics update; the inference export refuses it.
        Map<String, Object> attributes = training
                ? Trace.attrs("epsilon", eps, "momentum", momentum, "training_mode", 1L)
                : Trace.attrs("epsilon", eps);
        return Trace.traced(out, "BatchNormalization", attributes, x, gamma, beta, runningMean, runningVar);
    }

    private static void backward(
            Tensor x,
            Tensor gamma,
            Tensor beta,
            float[] dy,
            boolean relu,
            float[] mean,
            float[] invStd,
            boolean training,
            int n,
            int c,
            int plane) {
        float[] xs = x.data(), g = gamma.data(), b = beta.data();
        boolean fresh = x.requiresGrad() && x.freshGradOrNull() != null;
        float[] dx = x.requiresGrad() ? x.grad() : null;
        float[] dGamma = new float[c], dBeta = new float[c];
        long count = (long) n * plane;
        MicroKernel kernel = Gemm.kernel();
        Parallel.forEach(c, ch -> {
            double sumDy = 0, sumDyXhat = 0;
            float mu = mean[ch], is = invStd[ch];
            // The fused ReLU's gate, x·scale + shift > 0, recomputed from x with the forward's float operations: the
            // loops read x anyway, and reading the output (or a gated copy of dy, written by a pass of its own) cost
            // two more streams over the activation (the gate pass alone was ~4% of a training step).
            float scale = g[ch] * is, shift = b[ch] - mu * scale;
            float[] sums = new float[2];
            for (int s = 0; s < n; s++) {
                int base = (s * c + ch) * plane;
                if (relu) {
                    kernel.reluGatedSums(plane, dy, xs, base, scale, shift, mu, sums);
                    sumDy += sums[0];
                    sumDyXhat += (double) sums[1] * is;
                } else {
                    sumDy += Reductions.sum(dy, base, plane);
                    sumDyXhat += Reductions.dot(dy, xs, mu, base, plane) * is;
                }
            }
            dGamma[ch] = (float) sumDyXhat;
            dBeta[ch] = (float) sumDy;
            if (dx == null) return;
            // dx = k·(d − mean(d)) − k·σ⁻¹·mean(d·x̂)·(x − μ) in training; k·d in eval (μ, σ constants).
            float k = g[ch] * is;
            float dMean = training ? (float) (sumDy / count) : 0f;
            float slope = training ? k * is * (float) (sumDyXhat / count) : 0f;
            for (int s = 0; s < n; s++) {
                int base = (s * c + ch) * plane, end = base + plane;
                if (relu && fresh) {
                    for (int i = base; i < end; i++) {
                        float d = Gates.pass(dy[i], Gates.positive(xs[i] * scale + shift));
                        dx[i] = k * (d - dMean) - slope * (xs[i] - mu);
                    }
                } else if (relu) {
                    for (int i = base; i < end; i++) {
                        float d = Gates.pass(dy[i], Gates.positive(xs[i] * scale + shift));
                        dx[i] += k * (d - dMean) - slope * (xs[i] - mu);
                    }
                } else if (fresh) {
                    for (int i = base; i < end; i++) dx[i] = k * (dy[i] - dMean) - slope * (xs[i] - mu);
                } else {
                    for (int i = base; i < end; i++) dx[i] += k * (dy[i] - dMean) - slope * (xs[i] - mu);
                }
            }
        });
        if (gamma.requiresGrad()) add(gamma.grad(), dGamma);
        if (beta.requiresGrad()) add(beta.grad(), dBeta);
    }

    private static void add(float[] dst, float[] src) {
        for (int i = 0; i < dst.length; i++) dst[i] += src[i];
    }
}
