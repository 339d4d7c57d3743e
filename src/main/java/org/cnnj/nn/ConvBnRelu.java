package org.cnnj.nn;

import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Convolution;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Rng;

/** conv → batch norm (optional) → ReLU (optional); the workhorse of every block. */
public final class ConvBnRelu extends Module {
    public final Conv2d conv;
    public final BatchNorm2d bn;
    private final boolean relu;

    public ConvBnRelu(int in, int out, int kernel, ConvParams params, boolean batchNorm, boolean relu, Rng rng) {
        this.conv = child("conv", new Conv2d(in, out, kernel, params, true, Init.HE_NORMAL, rng));
        this.bn = batchNorm ? child("bn", new BatchNorm2d(out)) : null;
        this.relu = relu;
    }

    /** 3×3 (or k×k) same-size conv, BN, ReLU. */
    public ConvBnRelu(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, ConvParams.of(1, kernel / 2), true, true, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        // Inference (not while exporting: the ONNX graph keeps its Conv, BatchNormalization and Relu nodes).
        if (!isTraining() && !GradMode.isEnabled() && !Trace.active()) return fusedForward(x);
        Tensor y = conv.forward(x);
        if (bn != null && relu && !Trace.active()) return bn.forwardWithRelu(y);
        if (bn != null) y = bn.forward(y);
        return relu ? Relu.apply(y) : y;
    }

    /**
     * The batch norm folded into the convolution — W'[o] = W[o]·s, b'[o] = (b[o] − μ)·s + β with s = γ / √(σ² + ε)
     * — and the ReLU applied as the output is written: one pass and one array instead of three.
     */
    private Tensor fusedForward(Tensor x) {
        float[] w = conv.weight.data(), b = conv.bias == null ? null : conv.bias.data();
        int out = conv.weight.dim(0), perOut = w.length / out;
        float[] foldedW = w, foldedB = b == null ? new float[out] : b;
        if (bn != null) {
            foldedW = new float[w.length];
            foldedB = new float[out];
            float[] gamma = bn.gamma.data(), beta = bn.beta.data();
            for (int o = 0; o < out; o++) {
                float scale = (float) (gamma[o] / Math.sqrt(bn.runningVar[o] + bn.eps));
                for (int i = 0; i < perOut; i++) foldedW[o * perOut + i] = w[o * perOut + i] * scale;
                foldedB[o] = ((b == null ? 0f : b[o]) - bn.runningMean[o]) * scale + beta[o];
            }
        }
        return Convolution.applyFused(x, Tensor.of(foldedW, conv.weight.shape()), foldedB, conv.params, relu);
    }
}
