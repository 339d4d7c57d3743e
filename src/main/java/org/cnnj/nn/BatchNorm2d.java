package org.cnnj.nn;

import java.util.Arrays;
import org.cnnj.ops.BatchNormalization;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** Batch normalization layer: γ = 1, β = 0, running mean 0 and variance 1 to start (PyTorch defaults). */
public final class BatchNorm2d extends Module {
    public final Tensor gamma, beta;
    public final float[] runningMean, runningVar;
    public final float momentum, eps;

    public BatchNorm2d(int channels) {
        this(channels, 0.1f, 1e-5f);
    }

    public BatchNorm2d(int channels, float momentum, float eps) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        this.gamma = param("weight", Tensor.of(ones, channels));
        this.beta = param("bias", Tensor.zeros(channels));
        this.runningMean = buffer("running_mean", new float[channels]);
        this.runningVar = buffer("running_var", ones.clone());
        this.momentum = momentum;
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return BatchNormalization.apply(x, gamma, beta, runningMean, runningVar, isTraining(), momentum, eps);
    }

    /** max(forward(x), 0) as one op (see BatchNormalization.apply with relu). */
    public Tensor forwardWithRelu(Tensor x) {
        return BatchNormalization.apply(x, gamma, beta, runningMean, runningVar, isTraining(), momentum, eps, true);
    }

    /**
     * The same written over x (which the caller owns and no longer needs) where that is safe — evaluation mode, no
     * gradients, no trace — else {@link #forwardWithRelu}.
     */
    public Tensor forwardWithReluOver(Tensor x) {
        if (isTraining() || GradMode.isEnabled() || Trace.active()) return forwardWithRelu(x);
        return BatchNormalization.applyInPlaceWithRelu(x, gamma, beta, runningMean, runningVar, eps);
    }
}
