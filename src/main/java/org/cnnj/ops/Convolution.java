package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.kernel.MicroKernel;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * 2-D convolution (cross-correlation, as in PyTorch/ONNX Conv).
 * Shapes: x [N, C, H, W], weight [CO, C/G, KH, KW], bias [CO] or null → y [N, CO, HO, WO].
 * Per group, K = C/G·KH·KW rows of im2col and P = HO·WO output pixels, processed in panels of pw pixels.
 *
 * <ul>
 * <li>forward: y[:, panel] = W·cols, W packed once per call, cols written straight in packed layout;
 *     work items are (sample, panel) pairs, so a single image uses every core too.</li>
 * <li>backward-data, stride 1: dx = conv(dy, W flipped and transposed, padding d·(k−1)−p) — the same
 *     forward path, no scatter. Other strides: dcols = Wᵀ·dy then col2im into dx.</li>
 * <li>backward-weights: dWᵀ[K×CO] += cols·dyᵀ per (sample, chunk of panels), partial sums added in a
 *     fixed order, so results do not depend on the thread count (stride 1: see {@link DirectConv}).</li>
 * </ul>
 */
public final class Convolution {
    private Convolution() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
        Geometry g = Geometry.of(x, weight, bias, p);
        float[] y = convolve(g, x.data(), weight.data(), bias == null ? null : bias.data(), false);
        Tensor.Backward back = out -> backward(g, x, weight, bias, out.grad());
        int[] shape = {g.n, g.cOut, g.im.outH, g.im.outW};
        Tensor out = bias == null
                ? Tensor.result("conv2d", y, shape, back, x, weight)
                : Tensor.result("conv2d", y, shape, back, x, weight, bias);
        return Trace.traced(
                out,
                "Conv",
                p.onnxAttributes(weight.dim(2), weight.dim(3), false),
                bias == null ? new Object[] {x, weight} : new Object[] {x, weight, bias});
    }

    /**
     * Inference only (no graph is recorded): max(conv(x) + bias, 0) when {@code relu}, the ReLU applied as the
     * result is written, so the network keeps one array per layer instead of two. With weights and bias that
     * have a batch norm folded in (see nn.ConvBnRelu), conv → BN → ReLU becomes this one pass.
     */
    public static Tensor applyFused(Tensor x, Tensor weight, float[] bias, ConvParams p, boolean relu) {
        if (GradMode.isEnabled() && (x.requiresGrad() || weight.requiresGrad()))
            throw new IllegalStateException("conv2d: the fused inference convolution records no gradient; call it"
                    + " inside GradMode.noGrad, or use Conv2d.apply");
        Geometry g = Geometry.of(x, weight, null, p);
        float[] y = convolve(g, x.data(), weight.data(), bias, relu);
        return Tensor.result("conv2d_fused", y, new int[] {g.n, g.cOut, g.im.outH, g.im.outW}, null, x, weight);
    }

    /** y = conv(x) (+ bias), then max(·, 0) when {@code relu}: the direct path where it applies, else im2col. */
    private static float[] convolve(Geometry g, float[] x, float[] w, float[] bias, boolean relu) {
        float[] y = BufferPool.take(g.n * g.cOut * g.pixels());
        DirectConv direct = direct(g);
        if (direct != null) {
            direct.forwardPadding(x, packWeights(g, w)[0], g.cOut, bias, y, false, relu);
            return y;
        }
        forward(g, x, packWeights(g, w), bias, y, false);
        if (relu)
            Parallel.forChunks(y.length, (from, to) -> {
                for (int i = from; i < to; i++) y[i] = Math.max(y[i], 0f);
            });
        return y;
    }

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return apply(x, weight, bias, ConvParams.of(stride, padding));
    }

    /** Everything about one convolution's shapes, checked once. */
    record Geometry(
            int n, int cIn, int cOut, int groups, int cInG, int cOutG, int h, int w, Im2col im, boolean pointwise) {
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
                throw new IllegalArgumentException(
                        "conv2d: bias " + Shapes.str(bias.shape()) + " must have shape [" + cOut + "]");
            }
            int outH = Shapes.windowOutput("conv2d", "height", h, kh, p.strideH(), p.padH(), p.dilationH());
            int outW = Shapes.windowOutput("conv2d", "width", w, kw, p.strideW(), p.padW(), p.dilationW());
            return of(
                    n,
                    cIn,
                    cOut,
                    groups,
                    h,
                    w,
                    new Im2col(cIn / groups, h, w, kh, kw, p, outH, outW),
                    p.isPointwise(kh, kw));
        }

        static Geometry of(int n, int cIn, int cOut, int groups, int h, int w, Im2col im, boolean pointwise) {
            return new Geometry(n, cIn, cOut, groups, cIn / groups, cOut / groups, h, w, im, pointwise);
        }
    }

    /** The im2col-free path for stride 1 and one group (all U-Net convs), or null. */
    static DirectConv direct(Geometry g) {
        Im2col f = g.im;
        if (f.strideH != 1 || f.strideW != 1 || g.groups != 1 || g.pointwise) return null;
        return new DirectConv(g.n, g.cIn, g.h, g.w, f.kh, f.kw, f.padH, f.padW, f.dilH, f.dilW);
    }

    /** W per group as packed GEMM A [CO/G × K]. */
    private static float[][] packWeights(Geometry g, float[] w) {
        int k = g.k();
        float[][] packed = new float[g.groups][Gemm.packedASize(g.cOutG, k)];
        for (int grp = 0; grp < g.groups; grp++) Gemm.packA(false, g.cOutG, k, w, grp * g.cOutG * k, k, packed[grp]);
        return packed;
    }

    /** y (+)= conv(x) for packed weights, in parallel over (sample, panel) items; bias added if given. */
    static void forward(Geometry g, float[] x, float[][] packedW, float[] b, float[] y, boolean accumulate) {
        int P = g.pixels(), K = g.k(), pw = g.im.panelWidth(), panels = (P + pw - 1) / pw;
        Parallel.forEach(g.n * panels, item -> {
            int s = item / panels, j0 = (item % panels) * pw, width = Math.min(pw, P - j0);
            float[] cols = Scratch.get(Scratch.COLUMNS, Gemm.packedBSize(K, width));
            for (int grp = 0; grp < g.groups; grp++) {
                int xg = (s * g.cIn + grp * g.cInG) * g.h * g.w, yg = (s * g.cOut + grp * g.cOutG) * P;
                if (g.pointwise) Gemm.packB(false, K, width, x, xg + j0, P, cols);
                else g.im.im2colPackedB(x, xg, j0, width, cols, Gemm.kernel().nr());
                Gemm.multiplyPacked(g.cOutG, width, K, packedW[grp], 0, cols, 0, y, yg + j0, P, accumulate);
            }
            if (b != null) {
                for (int co = 0; co < g.cOut; co++) {
                    int base = (s * g.cOut + co) * P + j0;
                    float bias = b[co];
                    for (int i = 0; i < width; i++) y[base + i] += bias;
                }
            }
        });
    }

    static void backward(Geometry g, Tensor x, Tensor weight, Tensor bias, float[] dy) {
        if (bias != null && bias.requiresGrad()) Reductions.addChannelSums(dy, g.n, g.cOut, g.pixels(), bias.grad());
        if (x.requiresGrad()) {
            if (g.im.strideH == 1
                    && g.im.strideW == 1
                    && g.im.padH <= g.im.dilH * (g.im.kh - 1)
                    && g.im.padW <= g.im.dilW * (g.im.kw - 1)) {
                boolean fresh = x.freshGradOrNull() != null;
                backwardDataAsConvolution(g, weight.data(), dy, x.grad(), !fresh);
            } else {
                backwardDataByCol2im(g, weight.data(), dy, x.grad());
            }
        }
        if (weight.requiresGrad()) backwardWeights(g, x.data(), dy, weight.grad());
    }

    /**
     * Stride 1: dx[c] = Σ_o dy[o] ⋆ flip(W[o, c]) with padding d·(k−1)−p. W' [C/G, CO/G·KH·KW] per group
     * holds W transposed and rotated by 180°; then this is {@link #forward} on dy.
     */
    private static void backwardDataAsConvolution(Geometry g, float[] w, float[] dy, float[] dx, boolean accumulate) {
        Im2col f = g.im;
        int kArea = f.kh * f.kw, kPrime = g.cOutG * kArea;
        float[] flipped = BufferPool.take(g.cIn * kPrime);
        // One item per row (grp, ci) of W': the flip was the longest serial stretch of a training step after packing.
        Parallel.forEach(g.cIn, row -> {
            int grp = row / g.cInG, ci = row % g.cInG;
            for (int co = 0; co < g.cOutG; co++) {
                int src = ((grp * g.cOutG + co) * g.cInG + ci) * kArea, dst = row * kPrime + co * kArea;
                for (int t = 0; t < kArea; t++) flipped[dst + t] = w[src + kArea - 1 - t];
            }
        });
        ConvParams p = new ConvParams(
                1, 1, f.dilH * (f.kh - 1) - f.padH, f.dilW * (f.kw - 1) - f.padW, f.dilH, f.dilW, g.groups, 0, 0);
        Im2col im = new Im2col(g.cOutG, f.outH, f.outW, f.kh, f.kw, p, g.h, g.w);
        Geometry back = Geometry.of(g.n, g.cOut, g.cIn, g.groups, f.outH, f.outW, im, g.pointwise);
        float[][] packed = new float[g.groups][Gemm.packedASize(g.cInG, kPrime)];
        for (int grp = 0; grp < g.groups; grp++)
            Gemm.packA(false, g.cInG, kPrime, flipped, grp * g.cInG * kPrime, kPrime, packed[grp]);
        BufferPool.give(flipped);
        DirectConv direct = direct(back);
        if (direct != null) direct.forwardPadding(dy, packed[0], g.cIn, null, dx, accumulate, false);
        else forward(back, dy, packed, null, dx, accumulate);
    }

    /** Any stride: dcols = Wᵀ·dy per panel, scattered back by col2im; one item per sample (panels overlap). */
    private static void backwardDataByCol2im(Geometry g, float[] w, float[] dy, float[] dx) {
        int P = g.pixels(), K = g.k(), pw = g.im.panelWidth();
        float[][] packedWt = new float[g.groups][Gemm.packedASize(K, g.cOutG)];
        for (int grp = 0; grp < g.groups; grp++) Gemm.packA(true, K, g.cOutG, w, grp * g.cOutG * K, K, packedWt[grp]);
        Parallel.forEach(g.n, s -> {
            float[] dcol = Scratch.get(Scratch.COLUMNS, K * pw);
            float[] pb = Scratch.get(Scratch.SPARE, Gemm.packedBSize(g.cOutG, pw));
            for (int grp = 0; grp < g.groups; grp++) {
                int xg = (s * g.cIn + grp * g.cInG) * g.h * g.w, yg = (s * g.cOut + grp * g.cOutG) * P;
                for (int j0 = 0; j0 < P; j0 += pw) {
                    int width = Math.min(pw, P - j0);
                    Gemm.packB(false, g.cOutG, width, dy, yg + j0, P, pb);
                    Gemm.multiplyPacked(K, width, g.cOutG, packedWt[grp], 0, pb, 0, dcol, 0, width, false);
                    g.im.col2im(dcol, j0, width, dx, xg);
                }
            }
        });
    }

    /** dW[co, r] += Σ_{s, j} dy[s, co, j]·cols[s][r, j], computed as dWᵀ = cols·dyᵀ (K×CO, depth = pixels). */
    private static void backwardWeights(Geometry g, float[] x, float[] dy, float[] dw) {
        DirectConv direct = direct(g);
        if (direct != null) {
            direct.weightGradient(x, dy, g.cOut, dw);
            return;
        }
        int P = g.pixels(), K = g.k(), pw = g.im.panelWidth(), panels = (P + pw - 1) / pw;
        if (g.pointwise && g.cOutG < Gemm.kernel().nr()) {
            pointwiseWeightGradient(g, x, dy, dw, pw, panels);
            return;
        }
        Reductions.weightGradient(g.n, panels, g.groups, K, g.cOutG, dw, (s, p0, p1, dwt) -> {
            float[] pa = Scratch.get(Scratch.COLUMN_GRADIENT, Gemm.packedASize(K, pw));
            float[] pb = Scratch.get(Scratch.SPARE, Gemm.packedBSize(pw, g.cOutG));
            for (int grp = 0; grp < g.groups; grp++) {
                int xg = (s * g.cIn + grp * g.cInG) * g.h * g.w, yg = (s * g.cOut + grp * g.cOutG) * P;
                for (int panel = p0; panel < p1; panel++) {
                    int j0 = panel * pw, width = Math.min(pw, P - j0);
                    if (g.pointwise) Gemm.packA(false, K, width, x, xg + j0, P, pa);
                    else g.im.im2colPackedA(x, xg, j0, width, pa, Gemm.kernel().mr());
                    Gemm.packB(true, width, g.cOutG, dy, yg + j0, P, pb);
                    Gemm.multiplyPacked(K, g.cOutG, width, pa, 0, pb, 0, dwt, grp * K * g.cOutG, g.cOutG, true);
                }
            }
        });
    }

    /**
     * A 1×1 convolution with few output channels (a U-Net's class head: 16 → 3): each dW[co, ci] is one dot product of
     * the planes dy[s, co] and x[s, ci] read in place; the GEMM would pad CO to the kernel's NR columns (3 → 32).
     */
    private static void pointwiseWeightGradient(Geometry g, float[] x, float[] dy, float[] dw, int pw, int panels) {
        int P = g.pixels(), K = g.k();
        MicroKernel kernel = Gemm.kernel();
        Reductions.weightGradient(g.n, panels, g.groups, K, g.cOutG, dw, (s, p0, p1, dwt) -> {
            int j0 = p0 * pw, width = Math.min(p1 * pw, P) - j0;
            for (int grp = 0; grp < g.groups; grp++) {
                int xg = (s * g.cIn + grp * g.cInG) * P + j0, yg = (s * g.cOut + grp * g.cOutG) * P + j0;
                for (int ci = 0; ci < K; ci++) {
                    for (int co = 0; co < g.cOutG; co++) {
                        dwt[grp * K * g.cOutG + ci * g.cOutG + co] +=
                                kernel.centredDot(width, dy, yg + co * P, 0f, x, xg + ci * P, 0f);
                    }
                }
            }
        });
    }
}
