package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * 2-D convolution (cross-correlation, as in PyTorch/ONNX Conv).
 * Shapes: x [N, C, H, W], weight [CO, C/G, KH, KW], bias [CO] or null → y [N, CO, HO, WO].
 *
 * <p>Per sample, group and panel of output pixels: cols = im2col(x) [C/G·KH·KW, pw];
 * forward y = W·cols; backward dW += dY·colsᵀ, dcols = Wᵀ·dY then col2im into dx. Samples run in
 * parallel, each with its own partial dW summed in sample order (deterministic for any thread count).
 */
public final class Conv2d {
    private Conv2d() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
        Geometry g = Geometry.of(x, weight, bias, p);
        float[] y = new float[g.n * g.cOut * g.pixels()];
        forward(g, x.data(), weight.data(), bias == null ? null : bias.data(), y);
        Tensor.Backward back = out -> backward(g, x, weight, bias, out.grad());
        return bias == null
                ? Tensor.result("conv2d", y, new int[] {g.n, g.cOut, g.im.outH, g.im.outW}, back, x, weight)
                : Tensor.result("conv2d", y, new int[] {g.n, g.cOut, g.im.outH, g.im.outW}, back, x, weight, bias);
    }

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return apply(x, weight, bias, ConvParams.of(stride, padding));
    }

    /** Everything about one convolution's shapes, checked once. */
    record Geometry(int n, int cIn, int cOut, int groups, int cInG, int cOutG, int h, int w, Im2col im, boolean pointwise) {
        int pixels() {
            return im.pixels();
        }

        int k() {
            return im.rows();
        }

        static Geometry of(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
            Shapes.requireRank("conv2d", "input", x, 4, "[N, C, H, W]");
            Shapes.requireRank("conv2d", "weight", weight, 4, "[out channels, in channels / groups, KH, KW]");
            int n = x.dim(0), cIn = x.dim(1), h = x.dim(2), w = x.dim(3);
            int cOut = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3), groups = p.groups();
            if (cIn % groups != 0 || cOut % groups != 0) {
                throw new IllegalArgumentException("conv2d: " + groups + " groups must divide both the input channels ("
                        + cIn + ") and the output channels (" + cOut + ")");
            }
            if (weight.dim(1) * groups != cIn) {
                throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape()) + " has " + cIn
                        + " channels but weight " + Shapes.str(weight.shape()) + " expects " + weight.dim(1) * groups
                        + " (" + weight.dim(1) + " per group × " + groups + " groups); give the image the channel count"
                        + " the model was built for");
            }
            if (bias != null && (bias.rank() != 1 || bias.dim(0) != cOut)) {
                throw new IllegalArgumentException("conv2d: bias " + Shapes.str(bias.shape()) + " must have shape [" + cOut + "]");
            }
            int outH = Shapes.windowOutput("conv2d", "height", h, kh, p.strideH(), p.padH(), p.dilationH());
            int outW = Shapes.windowOutput("conv2d", "width", w, kw, p.strideW(), p.padW(), p.dilationW());
            Im2col im = new Im2col(cIn / groups, h, w, kh, kw, p, outH, outW);
            return new Geometry(n, cIn, cOut, groups, cIn / groups, cOut / groups, h, w, im, p.isPointwise(kh, kw) && p.dilationH() == 1);
        }
    }

    static void forward(Geometry g, float[] x, float[] w, float[] b, float[] y) {
        boolean bySample = g.n >= Parallel.threads();
        Parallel.forEach(bySample ? g.n : 1, item -> {
            int from = bySample ? item : 0, to = bySample ? item + 1 : g.n;
            for (int s = from; s < to; s++) forwardSample(g, x, w, b, y, s, !bySample);
        });
    }

    private static void forwardSample(Geometry g, float[] x, float[] w, float[] b, float[] y, int s, boolean parallelGemm) {
        int P = g.pixels(), K = g.k(), pw = g.im.panelWidth();
        int xOff = s * g.cIn * g.h * g.w, yOff = s * g.cOut * P;
        for (int grp = 0; grp < g.groups; grp++) {
            int xg = xOff + grp * g.cInG * g.h * g.w, wg = grp * g.cOutG * K, yg = yOff + grp * g.cOutG * P;
            if (g.pointwise) {
                gemm(parallelGemm, false, false, g.cOutG, P, K, w, wg, K, x, xg, P, y, yg, P, false);
                continue;
            }
            float[] col = Scratch.get(Scratch.COLUMNS, K * pw);
            for (int j0 = 0; j0 < P; j0 += pw) {
                int width = Math.min(pw, P - j0);
                g.im.im2col(x, xg, j0, width, col);
                gemm(parallelGemm, false, false, g.cOutG, width, K, w, wg, K, col, 0, width, y, yg + j0, P, false);
            }
        }
        if (b != null) {
            for (int co = 0; co < g.cOut; co++) {
                int base = yOff + co * P;
                float bias = b[co];
                for (int i = 0; i < P; i++) y[base + i] += bias;
            }
        }
    }

    static void backward(Geometry g, Tensor x, Tensor weight, Tensor bias, float[] dy) {
        if (bias != null && bias.requiresGrad()) Reductions.addChannelSums(dy, g.n, g.cOut, g.pixels(), bias.grad());
        boolean needDx = x.requiresGrad(), needDw = weight.requiresGrad();
        if (!needDx && !needDw) return;
        float[] dx = needDx ? x.grad() : null;
        float[][] dwPerSample = needDw ? new float[g.n][] : null;
        boolean bySample = g.n >= Parallel.threads();
        Parallel.forEach(bySample ? g.n : 1, item -> {
            int from = bySample ? item : 0, to = bySample ? item + 1 : g.n;
            for (int s = from; s < to; s++) {
                float[] dw = needDw ? new float[weight.size()] : null;
                backwardSample(g, x.data(), weight.data(), dy, dx, dw, s, !bySample);
                if (needDw) dwPerSample[s] = dw;
            }
        });
        if (needDw) Reductions.sumInOrder(dwPerSample, weight.grad());
    }

    private static void backwardSample(Geometry g, float[] x, float[] w, float[] dy, float[] dx, float[] dw, int s, boolean parallelGemm) {
        int P = g.pixels(), K = g.k(), pw = g.im.panelWidth();
        int xOff = s * g.cIn * g.h * g.w, yOff = s * g.cOut * P;
        for (int grp = 0; grp < g.groups; grp++) {
            int xg = xOff + grp * g.cInG * g.h * g.w, wg = grp * g.cOutG * K, yg = yOff + grp * g.cOutG * P;
            if (g.pointwise) {
                if (dw != null) gemm(parallelGemm, false, true, g.cOutG, K, P, dy, yg, P, x, xg, P, dw, wg, K, true);
                if (dx != null) gemm(parallelGemm, true, false, K, P, g.cOutG, w, wg, K, dy, yg, P, dx, xg, P, true);
                continue;
            }
            float[] col = Scratch.get(Scratch.COLUMNS, K * pw);
            float[] dcol = Scratch.get(Scratch.COLUMN_GRADIENT, K * pw);
            for (int j0 = 0; j0 < P; j0 += pw) {
                int width = Math.min(pw, P - j0);
                if (dw != null) {
                    g.im.im2col(x, xg, j0, width, col);
                    gemm(parallelGemm, false, true, g.cOutG, K, width, dy, yg + j0, P, col, 0, width, dw, wg, K, true);
                }
                if (dx != null) {
                    gemm(parallelGemm, true, false, K, width, g.cOutG, w, wg, K, dy, yg + j0, P, dcol, 0, width, false);
                    g.im.col2im(dcol, j0, width, dx, xg);
                }
            }
        }
    }

    static void gemm(boolean parallel, boolean ta, boolean tb, int m, int n, int k, float[] a, int ao, int lda,
                     float[] b, int bo, int ldb, float[] c, int co, int ldc, boolean acc) {
        if (parallel) Gemm.multiplyParallel(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
        else Gemm.multiply(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
    }
}
