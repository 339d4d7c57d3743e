package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * Stride-1 convolution without im2col. The input is copied once into a zero-padded layout
 * [N][C][HP·WP] (HP = H + 2·padH, WP = W + 2·padW, plus slack); then output pixel (oh, ow), taken on
 * the padded grid q = oh·WP + ow, reads tap (c, ki, kj) at {@code c·plane + ki·dilH·WP + kj·dilW + q}.
 * Every (c, ki, kj) row of the virtual im2col matrix is thus a constant shift of the padded image,
 * and the GEMM micro-kernel reads it in place through a table of shifts. The WP − WO garbage columns
 * per row cost (k−1)/WP extra work and are dropped when the result is copied out.
 *
 * <p>Shapes: x [N, C, H, W], W [CO, C, KH, KW] → y [N, CO, HO, WO], HO = HP − dilH·(KH−1).
 */
final class DirectConv {
    final int n, channels, h, w, kh, kw, padH, padW, dilH, dilW, hp, wp, outH, outW, plane, sampleStride, k;
    /** Shift of row r = (c, ki, kj), padded with zeros to a multiple of MR rows. */
    final int[] rows;

    DirectConv(int n, int channels, int h, int w, int kh, int kw, int padH, int padW, int dilH, int dilW) {
        this.n = n;
        this.channels = channels;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.padH = padH;
        this.padW = padW;
        this.dilH = dilH;
        this.dilW = dilW;
        this.hp = h + 2 * padH;
        this.wp = w + 2 * padW;
        this.outH = hp - dilH * (kh - 1);
        this.outW = wp - dilW * (kw - 1);
        this.plane = hp * wp;
        // Slack: the last row's shift reaches (kw−1)·dilW past the plane, and a strip reads up to 64 floats beyond its
        // columns.
        this.sampleStride = channels * plane + dilW * (kw - 1) + 64;
        this.k = channels * kh * kw;
        this.rows = new int[Gemm.roundUp(k, 8)];
        for (int c = 0, r = 0; c < channels; c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) rows[r++] = c * plane + ki * dilH * wp + kj * dilW;
            }
        }
    }

    /** Output pixels on the padded grid (rows of WP, of which the first WO are real). */
    int gridPixels() {
        return outH * wp;
    }

    /** Zero-padded copy of x [N, C, H, W]. */
    private float[] pad(float[] x) {
        float[] out = BufferPool.takeZeroed(n * sampleStride);
        Parallel.forEach(n, s -> {
            for (int c = 0; c < channels; c++) {
                int src = (s * channels + c) * h * w, dst = s * sampleStride + c * plane + padH * wp + padW;
                for (int i = 0; i < h; i++) System.arraycopy(x, src + i * w, out, dst + i * wp, w);
            }
        });
        return out;
    }

    /** {@link #forward} on x [N, C, H, W] itself: padded into a pooled buffer, handed back when done. */
    void forwardPadding(
            float[] x, float[] packedW, int outChannels, float[] bias, float[] y, boolean accumulate, boolean relu) {
        float[] padded = pad(x);
        forward(padded, packedW, outChannels, bias, y, accumulate, relu);
        BufferPool.give(padded);
    }

    /** Pixels per work item: keeps the [CO × pw] result tile near 64 KB, a multiple of the kernel's NR. */
    private int panelWidth(int outChannels) {
        int pw = Gemm.roundUp(
                Math.max(64, 16384 / Math.max(1, outChannels)), Gemm.kernel().nr());
        return Math.min(pw, Gemm.roundUp(gridPixels(), Gemm.kernel().nr()));
    }

    /**
     * y (+)= W·x (+ bias), then max(·, 0) when {@code relu} (inference only, written as the tile is copied out):
     * {@code packedW} is W [CO × K] packed as GEMM A. Parallel over (sample, panel) items, each writing its own
     * pixels of y.
     */
    private void forward(
            float[] xPad, float[] packedW, int outChannels, float[] bias, float[] y, boolean accumulate, boolean relu) {
        int grid = gridPixels(), pw = panelWidth(outChannels), panels = (grid + pw - 1) / pw, outPlane = outH * outW;
        Parallel.forEach(n * panels, item -> {
            int s = item / panels, q0 = (item % panels) * pw, width = Math.min(pw, grid - q0);
            float[] tile = Scratch.get(Scratch.COLUMNS, outChannels * width);
            Gemm.multiplyIndirectB(
                    outChannels, width, k, packedW, xPad, s * sampleStride + q0, rows, tile, 0, width, false);
            for (int co = 0; co < outChannels; co++) {
                float b = bias == null ? 0f : bias[co];
                int yBase = (s * outChannels + co) * outPlane, t = co * width;
                // Copy the real columns of each grid row that falls in this panel.
                for (int q = q0; q < q0 + width; ) {
                    int oh = q / wp, ow = q - oh * wp, end = Math.min(q0 + width, (oh + 1) * wp);
                    int real = Math.max(0, Math.min(end - q, outW - ow));
                    int dst = yBase + oh * outW + ow, src = t + q - q0;
                    if (accumulate) {
                        for (int i = 0; i < real; i++) y[dst + i] += tile[src + i] + b;
                    } else if (relu) {
                        for (int i = 0; i < real; i++) y[dst + i] = Math.max(tile[src + i] + b, 0f);
                    } else {
                        for (int i = 0; i < real; i++) y[dst + i] = tile[src + i] + b;
                    }
                    q = end;
                }
            }
        });
    }

    /**
     * dW [CO × K] += Σ_s Σ_q dy[s, co, q]·x_shifted[s, r, q], computed as dWᵀ = X·dyᵀ with X packed from its shifts
     * and dy padded onto the grid (zeros in the garbage columns); split and summed by
     * {@link Reductions#weightGradient}.
     */
    void weightGradient(float[] x, float[] dy, int outChannels, float[] dw) {
        float[] xPad = pad(x);
        int grid = gridPixels(), outPlane = outH * outW;
        int pw = Math.min(Gemm.roundUp(Math.max(64, 24576 / Math.max(1, outChannels)), 16), grid);
        int panels = (grid + pw - 1) / pw;
        Reductions.weightGradient(n, panels, 1, k, outChannels, dw, (s, p0, p1, dwt) -> {
            float[] dyGrid = Scratch.get(Scratch.COLUMNS, outChannels * pw);
            float[] pb = Scratch.get(Scratch.SPARE, Gemm.packedBSize(pw, outChannels));
            float[] pa = Scratch.get(Scratch.COLUMN_GRADIENT, Gemm.packedASize(k, pw));
            for (int panel = p0; panel < p1; panel++) {
                int q0 = panel * pw, width = Math.min(pw, grid - q0);
                // dy of this panel laid out on the padded grid: [CO × width], garbage columns zero.
                for (int co = 0; co < outChannels; co++) {
                    int src = (s * outChannels + co) * outPlane, t = co * width - q0;
                    for (int q = q0; q < q0 + width; ) {
                        int oh = q / wp, ow = q - oh * wp, end = Math.min(q0 + width, (oh + 1) * wp);
                        int realEnd = Math.min(end, oh * wp + outW), from = src + oh * outW - oh * wp;
                        for (int i = q; i < realEnd; i++) dyGrid[t + i] = dy[from + i];
                        for (int i = Math.max(q, realEnd); i < end; i++) dyGrid[t + i] = 0f;
                        q = end;
                    }
                }
                Gemm.packB(true, width, outChannels, dyGrid, 0, width, pb);
                Gemm.packRowsA(k, width, xPad, s * sampleStride + q0, rows, pa);
                Gemm.multiplyPacked(k, outChannels, width, pa, 0, pb, 0, dwt, 0, outChannels, true);
            }
        });
        BufferPool.give(xPad);
    }
}
