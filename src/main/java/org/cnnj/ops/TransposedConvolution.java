package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * Transposed convolution ("deconvolution"), the U-Net up-sampling step; PyTorch/ONNX ConvTranspose.
 * Shapes: x [N, C, H, W], weight [C, CO/G, KH, KW], bias [CO] or null → y [N, CO, HO, WO] with
 * HO = (H−1)·stride − 2·pad + dilation·(KH−1) + output_pad + 1.
 *
 * <p>It is the adjoint of {@link Convolution}: the columns live on the input pixels and the image is the
 * output. Forward: cols = Wᵀ·x, col2im into y. Backward: cols = im2col(dY); dx = W·cols; dW += x·colsᵀ.
 */
public final class TransposedConvolution {
    private TransposedConvolution() {}

    record Geometry(int n, int cIn, int cOut, int groups, int cInG, int cOutG, int h, int w, Im2col im) {
        int inPixels() {
            return h * w;
        }

        int outPlane() {
            return im.height * im.width;
        }

        int k() {
            return im.rows();
        }

        static Geometry of(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
            Shapes.requireRank("conv_transpose2d", "input", x, 4, "[N, C, H, W]");
            Shapes.requireRank("conv_transpose2d", "weight", weight, 4, "[in channels, out channels / groups, KH, KW]");
            int n = x.dim(0), cIn = x.dim(1), h = x.dim(2), w = x.dim(3), groups = p.groups();
            if (weight.dim(0) != cIn) {
                throw new IllegalArgumentException("conv_transpose2d: input " + Shapes.str(x.shape()) + " has " + cIn
                        + " channels but weight " + Shapes.str(weight.shape()) + " expects " + weight.dim(0));
            }
            if (cIn % groups != 0) {
                throw new IllegalArgumentException(
                        "conv_transpose2d: " + groups + " groups must divide the input channels (" + cIn + ")");
            }
            int cOut = weight.dim(1) * groups, kh = weight.dim(2), kw = weight.dim(3);
            if (bias != null && (bias.rank() != 1 || bias.dim(0) != cOut)) {
                throw new IllegalArgumentException(
                        "conv_transpose2d: bias " + Shapes.str(bias.shape()) + " must have shape [" + cOut + "]");
            }
            int outH = (h - 1) * p.strideH() - 2 * p.padH() + p.dilationH() * (kh - 1) + p.outputPadH() + 1;
            int outW = (w - 1) * p.strideW() - 2 * p.padW() + p.dilationW() * (kw - 1) + p.outputPadW() + 1;
            if (outH <= 0 || outW <= 0) {
                throw new IllegalArgumentException(
                        "conv_transpose2d: padding " + p.padH() + "x" + p.padW() + " leaves no output for input " + h
                                + "x" + w + " and kernel " + kh + "x" + kw + "; use less padding");
            }
            // The sliding window runs over the output image; its "output pixels" are the input pixels.
            Im2col im = new Im2col(cOut / groups, outH, outW, kh, kw, p, h, w);
            return new Geometry(n, cIn, cOut, groups, cIn / groups, cOut / groups, h, w, im);
        }
    }

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
        Geometry g = Geometry.of(x, weight, bias, p);
        float[] b = bias == null ? null : bias.data();
        float[] y;
        Tensor.Backward back;
        if (NonOverlappingTransposedConv.applies(p, weight.dim(2), weight.dim(3))) {
            var fast = new NonOverlappingTransposedConv(g.n, g.cIn, g.cOut, g.h, g.w, weight.dim(2), weight.dim(3));
            y = BufferPool.take(g.n * g.cOut * g.outPlane());
            fast.forward(x.data(), weight.data(), b, y);
            back = out -> backward(fast, x, weight, bias, out.grad());
        } else {
            y = BufferPool.takeZeroed(g.n * g.cOut * g.outPlane());
            forEachSample(g.n, (s, par) -> forwardSample(g, x.data(), weight.data(), b, y, s, par));
            back = out -> backward(g, x, weight, bias, out.grad());
        }
        int[] shape = {g.n, g.cOut, g.im.height, g.im.width};
        Tensor out = bias == null
                ? Tensor.result("conv_transpose2d", y, shape, back, x, weight)
                : Tensor.result("conv_transpose2d", y, shape, back, x, weight, bias);
        return Trace.traced(
                out,
                "ConvTranspose",
                p.onnxAttributes(weight.dim(2), weight.dim(3), true),
                bias == null ? new Object[] {x, weight} : new Object[] {x, weight, bias});
    }

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return apply(x, weight, bias, ConvParams.of(stride, padding));
    }

    /** Work on one sample, told whether its GEMMs should use the pool themselves. */
    @FunctionalInterface
    private interface SampleWork {
        void run(int sample, boolean parallelGemm);
    }

    /**
     * One item per sample when the batch fills the pool (samples scatter into their own outputs only);
     * otherwise samples in turn, each GEMM split over the pool.
     */
    private static void forEachSample(int n, SampleWork work) {
        if (n >= Parallel.threads()) {
            Parallel.forEach(n, s -> work.run(s, false));
        } else {
            for (int s = 0; s < n; s++) work.run(s, true);
        }
    }

    private static void gemm(
            boolean parallel,
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            float[] a,
            int ao,
            int lda,
            float[] b,
            int bo,
            int ldb,
            float[] c,
            int co,
            int ldc,
            boolean acc) {
        if (parallel) Gemm.multiplyParallel(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
        else Gemm.multiply(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
    }

    private static void forwardSample(Geometry g, float[] x, float[] w, float[] b, float[] y, int s, boolean par) {
        int P = g.inPixels(), K = g.k(), pw = g.im.panelWidth(), plane = g.outPlane();
        int xOff = s * g.cIn * P, yOff = s * g.cOut * plane;
        float[] col = Scratch.get(Scratch.COLUMN_GRADIENT, K * pw);
        for (int grp = 0; grp < g.groups; grp++) {
            int xg = xOff + grp * g.cInG * P, wg = grp * g.cInG * K, yg = yOff + grp * g.cOutG * plane;
            for (int j0 = 0; j0 < P; j0 += pw) {
                int width = Math.min(pw, P - j0);
                gemm(par, true, false, K, width, g.cInG, w, wg, K, x, xg + j0, P, col, 0, width, false);
                g.im.col2im(col, j0, width, y, yg);
            }
        }
        if (b != null) {
            for (int co = 0; co < g.cOut; co++) {
                int base = yOff + co * plane;
                for (int i = 0; i < plane; i++) y[base + i] += b[co];
            }
        }
    }

    private static void backward(NonOverlappingTransposedConv fast, Tensor x, Tensor weight, Tensor bias, float[] dy) {
        if (bias != null && bias.requiresGrad()) {
            Reductions.addChannelSums(dy, fast.n, fast.cOut, fast.outPlane, bias.grad());
        }
        if (x.requiresGrad()) {
            float[] fresh = x.freshGradOrNull();
            fast.dataGradient(weight.data(), dy, fresh != null ? fresh : x.grad(), fresh == null);
        }
        if (weight.requiresGrad()) fast.weightGradient(x.data(), dy, weight.grad());
    }

    static void backward(Geometry g, Tensor x, Tensor weight, Tensor bias, float[] dy) {
        if (bias != null && bias.requiresGrad()) Reductions.addChannelSums(dy, g.n, g.cOut, g.outPlane(), bias.grad());
        boolean needDx = x.requiresGrad(), needDw = weight.requiresGrad();
        if (!needDx && !needDw) return;
        float[] dx = needDx ? x.grad() : null;
        float[][] dwPerSample = needDw ? new float[g.n][] : null;
        forEachSample(g.n, (s, par) -> {
            float[] dw = needDw ? BufferPool.takeZeroed(weight.size()) : null;
            backwardSample(g, x.data(), weight.data(), dy, dx, dw, s, par);
            if (needDw) dwPerSample[s] = dw;
        });
        if (needDw) {
            Reductions.sumInOrder(dwPerSample, weight.grad());
            for (float[] dw : dwPerSample) BufferPool.give(dw);
        }
    }

    private static void backwardSample(
            Geometry g, float[] x, float[] w, float[] dy, float[] dx, float[] dw, int s, boolean par) {
        int P = g.inPixels(), K = g.k(), pw = g.im.panelWidth(), plane = g.outPlane();
        int xOff = s * g.cIn * P, yOff = s * g.cOut * plane;
        float[] col = Scratch.get(Scratch.COLUMNS, K * pw);
        for (int grp = 0; grp < g.groups; grp++) {
            int xg = xOff + grp * g.cInG * P, wg = grp * g.cInG * K, yg = yOff + grp * g.cOutG * plane;
            for (int j0 = 0; j0 < P; j0 += pw) {
                int width = Math.min(pw, P - j0);
                g.im.im2col(dy, yg, j0, width, col);
                if (dx != null)
                    gemm(par, false, false, g.cInG, width, K, w, wg, K, col, 0, width, dx, xg + j0, P, true);
                if (dw != null) gemm(par, false, true, g.cInG, K, width, x, xg + j0, P, col, 0, width, dw, wg, K, true);
            }
        }
    }
}
