package org.cnnj.ops;

import java.util.Arrays;
import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * 3-D convolution (cross-correlation, as PyTorch's conv3d and ONNX Conv with a 3-D kernel). Shapes: x [N, C, D, H, W],
 * weight [CO, C/G, KD, KH, KW], bias [CO] or null → y [N, CO, OD, OH, OW].
 *
 * <p>Per sample and group the volume is unfolded (im2col) into K = C/G·KD·KH·KW rows by P output voxels and multiplied
 * with the shared GEMM: forward y = W·cols, backward dW += dy·colsᵀ and dx either as a convolution of dy (stride 1) or
 * dcols = Wᵀ·dy folded back (col2im). As in the 2-D {@link Convolution}, the forward pass and the weight gradient work
 * panel by panel of output voxels (a few hundred KB, in cache), in parallel over (sample, panel), each panel unfolded
 * straight into the GEMM's packed layout and the weights packed once per call: unfolding a whole block and letting
 * the GEMM pack it again took half of a 3-D U-Net step. Partial sums are added in a fixed order (results do not depend
 * on the thread count); the col2im path takes output voxels in chunks of at most {@link #CHUNK} floats.
 */
public final class Convolution3d {
    /** Most floats of one unfolded block (K rows × chunk of voxels): 32 MB. */
    public static final int CHUNK = 1 << 23;

    private Convolution3d() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Conv3dParams p) {
        return apply(x, weight, bias, p, CHUNK);
    }

    /** As {@link #apply(Tensor, Tensor, Tensor, Conv3dParams)} with unfolded blocks of at most {@code chunkFloats}. */
    static Tensor apply(Tensor x, Tensor weight, Tensor bias, Conv3dParams p, int chunkFloats) {
        Geometry g = Geometry.of(x, weight, bias, p, chunkFloats);
        float[] y = BufferPool.take(g.n * g.cOut * g.voxels());
        float[] w = weight.data(), b = bias == null ? null : bias.data();
        forward(g, x.data(), w, y, false);
        if (b != null) addBias(y, b, g.n, g.cOut, g.voxels());
        int[] shape = {g.n, g.cOut, g.out[0], g.out[1], g.out[2]};
        Tensor.Backward back = out -> backward(g, x, weight, bias, out.grad());
        Tensor out = bias == null
                ? Tensor.result("conv3d", y, shape, back, x, weight)
                : Tensor.result("conv3d", y, shape, back, x, weight, bias);
        return Trace.traced(
                out,
                "Conv",
                p.onnxAttributes(g.kernel),
                bias == null ? new Object[] {x, weight} : new Object[] {x, weight, bias});
    }

    /**
     * conv3d(concat(parts along channels)) without building the concatenation, for inference: by linearity the sum of
     * each part's convolution with its slice of the weights' input channels, accumulated into one output. A 3-D U-Net
     * decoder's first convolution reads the skip and the upsampled volume this way; at the finest level of a block of a
     * large stack (16 + 16 channels of 112 × 304 × 304 voxels) the concatenation alone was 1.3 GB. Where gradients or a
     * trace are wanted, the parts are concatenated and convolved as usual.
     */
    public static Tensor applyToChannels(Tensor[] parts, Tensor weight, Tensor bias, Conv3dParams p) {
        if (GradMode.isEnabled() || Trace.active() || p.groups() != 1 || parts.length == 1)
            return apply(Concat.channels(parts), weight, bias, p);
        int channels = 0;
        for (Tensor part : parts) channels += part.dim(1);
        if (weight.rank() != 5 || weight.dim(1) != channels)
            return apply(Concat.channels(parts), weight, bias, p); // the usual message names what does not fit
        float[] y = null;
        Geometry whole = null;
        for (int i = 0, c0 = 0; i < parts.length; c0 += parts[i].dim(1), i++) {
            Tensor slice = inputChannels(weight, c0, parts[i].dim(1));
            Geometry g = Geometry.of(parts[i], slice, i == 0 ? bias : null, p, CHUNK); // the bias checked once
            if (y == null) {
                whole = g;
                y = BufferPool.take(g.n * g.cOut * g.voxels());
            } else if (g.n != whole.n || !Arrays.equals(g.in, whole.in)) {
                throw new IllegalArgumentException("conv3d: parts " + Shapes.str(parts[0].shape()) + " and "
                        + Shapes.str(parts[i].shape()) + " differ in batch or volume; they cannot be concatenated");
            }
            forward(g, parts[i].data(), slice.data(), y, i > 0);
        }
        if (bias != null) addBias(y, bias.data(), whole.n, whole.cOut, whole.voxels());
        return Tensor.of(y, whole.n, whole.cOut, whole.out[0], whole.out[1], whole.out[2]);
    }

    /** weight[:, from : from + count] as its own [CO, count, KD, KH, KW] tensor. */
    private static Tensor inputChannels(Tensor weight, int from, int count) {
        int co = weight.dim(0), c = weight.dim(1), taps = weight.dim(2) * weight.dim(3) * weight.dim(4);
        float[] w = weight.data(), out = new float[co * count * taps];
        for (int o = 0; o < co; o++) System.arraycopy(w, (o * c + from) * taps, out, o * count * taps, count * taps);
        return Tensor.of(out, co, count, weight.dim(2), weight.dim(3), weight.dim(4));
    }

    /** The shapes of one convolution, checked once. */
    record Geometry(int n, int c, int[] in, int cOut, int[] kernel, int[] out, Conv3dParams p, int chunkFloats) {
        static Geometry of(Tensor x, Tensor weight, Tensor bias, Conv3dParams p, int chunkFloats) {
            Shapes.requireRank("conv3d", "input", x, 5, "[N, C, D, H, W]");
            Shapes.requireRank("conv3d", "weight", weight, 5, "[CO, C/groups, KD, KH, KW]");
            int c = x.dim(1), cOut = weight.dim(0);
            if (c % p.groups() != 0 || cOut % p.groups() != 0 || weight.dim(1) != c / p.groups())
                throw new IllegalArgumentException("conv3d: input channels " + c + " and weight "
                        + Shapes.str(weight.shape()) + " do not fit " + p.groups() + " group(s)");
            if (bias != null && (bias.shape().length != 1 || bias.dim(0) != cOut))
                throw new IllegalArgumentException(
                        "conv3d: bias must be [" + cOut + "], got " + Shapes.str(bias.shape()));
            int[] in = {x.dim(2), x.dim(3), x.dim(4)};
            int[] kernel = {weight.dim(2), weight.dim(3), weight.dim(4)}, out = new int[3];
            String[] axis = {"depth", "height", "width"};
            for (int i = 0; i < 3; i++)
                out[i] = Shapes.windowOutput(
                        "conv3d", axis[i], in[i], kernel[i], p.stride()[i], p.padding()[i], p.dilation()[i]);
            return new Geometry(x.dim(0), c, in, cOut, kernel, out, p, chunkFloats);
        }

        int voxels() {
            return out[0] * out[1] * out[2];
        }

        int inVoxels() {
            return in[0] * in[1] * in[2];
        }

        int groupIn() {
            return c / p.groups();
        }

        int groupOut() {
            return cOut / p.groups();
        }

        /** Rows of the unfolded block: C/G·KD·KH·KW. */
        int rows() {
            return groupIn() * kernel[0] * kernel[1] * kernel[2];
        }

        /** Output voxels per chunk, so that rows × chunk stays within {@code chunkFloats}. */
        int chunk() {
            return Math.max(1, Math.min(voxels(), chunkFloats / rows()));
        }

        /** Output voxels per panel of the packed products: ~48 K floats unfolded (in L2), whole strips, ≤ a chunk. */
        int panel() {
            int pw = (Math.max(64, PANEL_FLOATS / rows()) + 15) / 16 * 16;
            return Math.min(pw, chunk());
        }
    }

    /** Floats of one unfolded panel, as the 2-D {@link Im2col#panelWidth()} chooses. */
    private static final int PANEL_FLOATS = 48 * 1024;

    /**
     * y (+)= conv3d(x) without bias: read in place from a padded volume where the stride is 1 ({@link DirectConv3d}), else
     * in parallel over (sample, panel) items, each panel unfolded into packed B, times the weights packed once per
     * group. Items write disjoint parts of y.
     */
    static void forward(Geometry g, float[] x, float[] w, float[] y, boolean accumulate) {
        if (!DirectConv3d.forward(g, x, w, y, accumulate)) forwardPacked(g, x, w, y, accumulate);
    }

    /** {@link #forward} by panels unfolded into packed B: any stride and groups. */
    static void forwardPacked(Geometry g, float[] x, float[] w, float[] y, boolean accumulate) {
        int k = g.rows(), co = g.groupOut(), groups = g.p().groups(), voxels = g.voxels();
        int pw = g.panel(), panels = (voxels + pw - 1) / pw, nr = Gemm.kernel().nr();
        float[][] packed = new float[groups][Gemm.packedASize(co, k)];
        for (int grp = 0; grp < groups; grp++) Gemm.packA(false, co, k, w, grp * co * k, k, packed[grp]);
        Parallel.forEach(g.n * panels, item -> {
            int s = item / panels, from = item % panels * pw, count = Math.min(pw, voxels - from);
            float[] cols = Scratch.get(Scratch.COLUMNS, Gemm.packedBSize(k, count));
            for (int grp = 0; grp < groups; grp++) {
                int xOff = (s * g.c + grp * g.groupIn()) * g.inVoxels(), yOff = (s * g.cOut + grp * co) * voxels;
                unfoldPackedB(g, x, xOff, from, count, cols, nr);
                Gemm.multiplyPacked(co, count, k, packed[grp], 0, cols, 0, y, yOff + from, voxels, accumulate);
            }
        });
    }

    /** dW[o, r] += Σ_{s, v} dy[s, o, v]·cols[s][r, v]: by dot products on a padded volume where the stride is 1. */
    static void weightGradient(Geometry g, float[] x, float[] dy, float[] dw) {
        if (!DirectConv3d.weightGradient(g, x, dy, dw)) weightGradientPacked(g, x, dy, dw);
    }

    /**
     * The weight gradient as dWᵀ = cols·dyᵀ (K × CO/G, depth = voxels) per (sample, run of panels) item: cols unfolded
     * straight into packed A, dy's CO/G rows packed across. Any stride and groups.
     */
    static void weightGradientPacked(Geometry g, float[] x, float[] dy, float[] dw) {
        int k = g.rows(), co = g.groupOut(), groups = g.p().groups(), voxels = g.voxels();
        int pw = g.panel(), panels = (voxels + pw - 1) / pw, mr = Gemm.kernel().mr();
        Reductions.weightGradient(g.n, panels, groups, k, co, dw, (s, p0, p1, dwt) -> {
            float[] pa = Scratch.get(Scratch.COLUMN_GRADIENT, Gemm.packedASize(k, pw));
            float[] pb = Scratch.get(Scratch.SPARE, Gemm.packedBSize(pw, co));
            for (int grp = 0; grp < groups; grp++) {
                int xOff = (s * g.c + grp * g.groupIn()) * g.inVoxels(), yOff = (s * g.cOut + grp * co) * voxels;
                for (int panel = p0; panel < p1; panel++) {
                    int from = panel * pw, count = Math.min(pw, voxels - from);
                    unfoldPackedA(g, x, xOff, from, count, pa, mr);
                    Gemm.packB(true, count, co, dy, yOff + from, voxels, pb);
                    Gemm.multiplyPacked(k, co, count, pa, 0, pb, 0, dwt, grp * k * co, co, true);
                }
            }
        });
    }

    /** y[s, c, :] += b[c] for every sample s of [n, channels, voxels]. */
    static void addBias(float[] y, float[] b, int n, int channels, int voxels) {
        for (int s = 0; s < n; s++)
            for (int c = 0; c < channels; c++) {
                int base = (s * channels + c) * voxels;
                for (int i = 0; i < voxels; i++) y[base + i] += b[c];
            }
    }

    /** gb[c] += the sum of gy[s, c, :] over every sample s of [n, channels, voxels] (in double, per channel). */
    static void addBiasGradient(float[] gy, float[] gb, int n, int channels, int voxels) {
        for (int s = 0; s < n; s++)
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int i = 0, base = (s * channels + c) * voxels; i < voxels; i++) sum += gy[base + i];
                gb[c] += (float) sum;
            }
    }

    /**
     * The group's K rows Wᵀ·src for output voxels [from, from + count) folded into dst (dst += col2im(Wᵀ·src)): a
     * convolution's data gradient, and a transposed convolution's forward.
     */
    static void foldTransposedProduct(
            Geometry g,
            float[] w,
            int grp,
            float[] src,
            int srcOff,
            int from,
            int count,
            float[] dcols,
            float[] dst,
            int dstOff) {
        int k = g.rows(), co = g.groupOut();
        Gemm.multiplyParallel(
                true, false, k, count, co, w, grp * co * k, k, src, srcOff + from, g.voxels(), dcols, 0, count, false);
        fold(g, dcols, from, count, dst, dstOff);
    }

    private static void backward(Geometry g, Tensor x, Tensor weight, Tensor bias, float[] gy) {
        if (bias != null && bias.requiresGrad()) addBiasGradient(gy, bias.grad(), g.n, g.cOut, g.voxels());
        if (x.requiresGrad() && !dataGradientAsConvolution(g, weight, gy, x.grad()))
            dataGradientByFold(g, weight.data(), gy, x.grad());
        if (weight.requiresGrad()) weightGradient(g, x.data(), gy, weight.grad());
    }

    /** Any stride: dx += col2im(Wᵀ[K × co] · dy[co × count]), chunk by chunk of output voxels. */
    private static void dataGradientByFold(Geometry g, float[] w, float[] gy, float[] gx) {
        int k = g.rows(), co = g.groupOut(), chunk = g.chunk(), voxels = g.voxels();
        float[] dcols = BufferPool.take(k * chunk);
        for (int s = 0; s < g.n; s++)
            for (int grp = 0; grp < g.p().groups(); grp++) {
                int xOff = (s * g.c + grp * g.groupIn()) * g.inVoxels(), yOff = (s * g.cOut + grp * co) * voxels;
                for (int from = 0; from < voxels; from += chunk)
                    foldTransposedProduct(g, w, grp, gy, yOff, from, Math.min(chunk, voxels - from), dcols, gx, xOff);
            }
        BufferPool.give(dcols);
    }

    /**
     * Stride 1: dx = conv3d(dy, W flipped in space with its in and out channels swapped, padding d·(k − 1) − p) — the
     * forward path (unfold of the small dy, one GEMM) instead of Wᵀ·dy, a K-row block folded back voxel by voxel.
     * Returns false where it does not apply (strides, or padding beyond d·(k − 1)).
     */
    private static boolean dataGradientAsConvolution(Geometry g, Tensor weight, float[] gy, float[] gx) {
        int[] k = g.kernel(),
                st = g.p().stride(),
                pad = g.p().padding(),
                dil = g.p().dilation(),
                flippedPad = new int[3];
        for (int i = 0; i < 3; i++) {
            flippedPad[i] = dil[i] * (k[i] - 1) - pad[i];
            if (st[i] != 1 || flippedPad[i] < 0) return false;
        }
        int groups = g.p().groups(), ci = g.groupIn(), co = g.groupOut(), taps = k[0] * k[1] * k[2];
        float[] w = weight.data(), flipped = new float[w.length];
        for (int grp = 0; grp < groups; grp++)
            for (int o = 0; o < co; o++)
                for (int i = 0; i < ci; i++)
                    for (int t = 0; t < taps; t++) // W'[grp·ci + i][o][taps − 1 − t] = W[grp·co + o][i][t]
                    flipped[((grp * ci + i) * co + o) * taps + taps - 1 - t] = w[((grp * co + o) * ci + i) * taps + t];
        Geometry back = Geometry.of(
                Tensor.of(gy, g.n(), g.cOut(), g.out()[0], g.out()[1], g.out()[2]),
                Tensor.of(flipped, g.c(), co, k[0], k[1], k[2]),
                null,
                new Conv3dParams(new int[] {1, 1, 1}, flippedPad, dil, groups),
                g.chunkFloats());
        forward(back, gy, flipped, gx, true);
        return true;
    }

    /**
     * The panel in GEMM packed-B layout: strips of {@code nr} voxels, each row-major over all K rows (element (r, j) at
     * (j/nr)·K·nr + r·nr + j%nr), the last strip zero-padded.
     */
    private static void unfoldPackedB(Geometry g, float[] x, int xOff, int from, int count, float[] dst, int nr) {
        // Row by row through a contiguous buffer, then cut into strips: a run computed per strip of 16 voxels cost
        // more than the product itself.
        int rows = g.rows(), strips = (count + nr - 1) / nr;
        float[] row = Scratch.get(Scratch.SPARE, strips * nr);
        Arrays.fill(row, count, strips * nr, 0f);
        for (int r = 0; r < rows; r++) {
            unfoldRow(g, x, xOff, r, from, count, row, 0, 1);
            for (int strip = 0; strip < strips; strip++)
                System.arraycopy(row, strip * nr, dst, (strip * rows + r) * nr, nr);
        }
    }

    /**
     * The panel in GEMM packed-A layout (the K rows as the M side): strips of {@code mr} rows, voxel-major (element (r,
     * j) at (r/mr)·count·mr + j·mr + r%mr), the padding rows zero.
     */
    private static void unfoldPackedA(Geometry g, float[] x, int xOff, int from, int count, float[] dst, int mr) {
        int rows = g.rows(), padded = (rows + mr - 1) / mr * mr;
        for (int r = 0; r < padded; r++) {
            int at = r / mr * count * mr + r % mr;
            if (r < rows) unfoldRow(g, x, xOff, r, from, count, dst, at, mr);
            else for (int j = 0; j < count; j++) dst[at + j * mr] = 0f;
        }
    }

    /**
     * Row r = (channel, kd, kh, kw) of the unfolded block for output voxels [from, from + count) into dst[at + j·step]:
     * the input voxel the tap reads, 0 in the padding. Walked run by run along the output's rows ({@link #runs}, as the
     * fold walks them); stride 1 into consecutive floats copies whole runs.
     */
    private static void unfoldRow(
            Geometry g, float[] x, int xOff, int r, int from, int count, float[] dst, int at, int step) {
        int taps = g.kernel()[0] * g.kernel()[1] * g.kernel()[2], base = xOff + r / taps * g.inVoxels();
        int width = g.in()[2], sw = g.p().stride()[2];
        runs(g, r % taps, from, count, (run, length, line, w0) -> {
            int o = at + run * step;
            if (line < 0) {
                for (int j = 0; j < length; j++) dst[o + j * step] = 0f;
                return;
            }
            int src = base + line;
            if (sw == 1) { // [0, lo) and [hi, length) fall in the padding
                int lo = Math.min(length, Math.max(0, -w0)), hi = Math.max(lo, Math.min(length, width - w0));
                if (step == 1) { // most runs lie inside the volume: no fill at all
                    if (lo > 0) Arrays.fill(dst, o, o + lo, 0f);
                    System.arraycopy(x, src + w0 + lo, dst, o + lo, hi - lo);
                    if (hi < length) Arrays.fill(dst, o + hi, o + length, 0f);
                    return;
                }
                for (int j = 0; j < lo; j++) dst[o + j * step] = 0f;
                for (int j = lo, i = src + w0 + lo; j < hi; j++, i++) dst[o + j * step] = x[i];
                for (int j = hi; j < length; j++) dst[o + j * step] = 0f;
                return;
            }
            for (int j = 0, w = w0; j < length; j++, w += sw) dst[o + j * step] = w >= 0 && w < width ? x[src + w] : 0f;
        });
    }

    /** gx[input voxel] += dcols[r][v − from] for every tap that read it: per input channel in parallel. */
    static void fold(Geometry g, float[] dcols, int from, int count, float[] gx, int xOff) {
        int taps = g.kernel()[0] * g.kernel()[1] * g.kernel()[2];
        Parallel.forEach(g.groupIn(), c -> {
            int base = xOff + c * g.inVoxels();
            for (int t = 0; t < taps; t++) {
                int row = (c * taps + t) * count;
                runs(g, t, from, count, (at, length, line, w0) -> {
                    if (line < 0) return;
                    int src = row + at,
                            dst = base + line,
                            width = g.in()[2],
                            step = g.p().stride()[2];
                    for (int j = 0, w = w0; j < length; j++, w += step)
                        if (w >= 0 && w < width) gx[dst + w] += dcols[src + j];
                });
            }
        });
    }

    /** One run of output voxels along a row: its first column, length, input row start (−1: in the padding), first w. */
    @FunctionalInterface
    interface Run {
        void accept(int at, int length, int line, int w0);
    }

    /**
     * The output voxels [from, from + count) of tap t as runs along output rows (fixed od, oh): each run's input row
     * (d, h) and the input column of its first voxel.
     */
    private static void runs(Geometry g, int t, int from, int count, Run run) {
        int[] k = g.kernel(),
                out = g.out(),
                in = g.in(),
                st = g.p().stride(),
                pad = g.p().padding(),
                dil = g.p().dilation();
        int kd = t / (k[1] * k[2]), kh = t / k[2] % k[1], kw = t % k[2];
        int v = from, end = from + count;
        while (v < end) {
            int ow = v % out[2], oh = v / out[2] % out[1], od = v / (out[1] * out[2]);
            int length = Math.min(out[2] - ow, end - v);
            int d = od * st[0] - pad[0] + kd * dil[0], h = oh * st[1] - pad[1] + kh * dil[1];
            int line = d < 0 || d >= in[0] || h < 0 || h >= in[1] ? -1 : (d * in[1] + h) * in[2];
            run.accept(v - from, length, line, ow * st[2] - pad[2] + kw * dil[2]);
            v += length;
        }
    }
}
