package org.cnnj.ops;

import java.util.Arrays;
import org.cnnj.kernel.Gemm;
import org.cnnj.kernel.MicroKernel;
import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * Stride-1 convolution without im2col. The input is copied once into a zero-padded layout
 * [N][C][HP·WP] (HP = H + 2·padH, WP = W + 2·padW, plus slack); then output pixel (oh, ow), taken on
 * the padded grid q = oh·WP + ow, reads tap (c, ki, kj) at {@code c·plane + ki·dilH·WP + kj·dilW + q}.
 * Every (c, ki, kj) row of the virtual im2col matrix is thus a constant shift of the padded image,
 * and the GEMM micro-kernel reads it in place through a table of shifts. Output rows that are a whole number
 * of the kernel's column blocks are computed straight into y; otherwise tiles run over the grid, and its WP − WO
 * garbage columns per row cost (k−1)/WP extra work and are dropped when the tile is copied out. The weight
 * gradient pairs dy with the same shifted rows (dot products on large grids, a GEMM on packed shifts on small ones).
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
        this.rows = new int[Gemm.roundUp(k, 24)]; // whole strips for any kernel's MR (4, 6, 8)
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

    /** Zero-padded copy of x [N, C, H, W]; only the border and the slack are zeroed, the rest is copied over. */
    private float[] pad(float[] x) {
        float[] out = BufferPool.take(n * sampleStride);
        Parallel.forEach(n, s -> {
            int base = s * sampleStride;
            for (int c = 0; c < channels; c++) {
                int src = (s * channels + c) * h * w, p0 = base + c * plane, row = p0 + padH * wp + padW;
                Arrays.fill(out, p0, row, 0f); // top rows and the first row's left border
                for (int i = 0; i < h; i++, row += wp) {
                    System.arraycopy(x, src + i * w, out, row, w);
                    Arrays.fill(out, row + w, row + wp, 0f); // this row's right border, the next row's left one
                }
                Arrays.fill(out, row, p0 + plane, 0f); // the rest of the bottom rows
            }
            Arrays.fill(out, base + channels * plane, base + sampleStride, 0f);
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
     * y (+)= W·x (+ bias), then max(·, 0) when {@code relu} (inference only; ignored when accumulating):
     * {@code packedW} is W [CO × K] packed as GEMM A. Where an output row is a whole number of the kernel's column
     * blocks, the products go straight into y row by row ({@link #forwardByRows}); otherwise a tile on the padded
     * grid is computed and its real columns copied out.
     */
    private void forward(
            float[] xPad, float[] packedW, int outChannels, float[] bias, float[] y, boolean accumulate, boolean relu) {
        if (outW % Gemm.kernel().nr() == 0) {
            forwardByRows(xPad, packedW, outChannels, bias, y, accumulate, relu);
            return;
        }
        forwardByTiles(xPad, packedW, outChannels, bias, y, accumulate, relu);
    }

    /**
     * One GEMM per output row oh, C = y[s, :, oh, :] (leading dimension one output plane), B the shifted padded rows
     * from grid pixel oh·WP: no tile, no copy (the copy of CO = 16 tiles took a fifth of the convolution's time).
     * Parallel over (sample, band of rows) items; bias and ReLU in a pass over the band while it is in cache.
     */
    private void forwardByRows(
            float[] xPad, float[] packedW, int outChannels, float[] bias, float[] y, boolean accumulate, boolean relu) {
        int outPlane = outH * outW, rowsPerItem = Math.max(1, panelWidth(outChannels) / outW);
        int bands = (outH + rowsPerItem - 1) / rowsPerItem;
        Parallel.forEach(n * bands, item -> {
            int s = item / bands, oh0 = (item % bands) * rowsPerItem, oh1 = Math.min(outH, oh0 + rowsPerItem);
            int yBase = s * outChannels * outPlane;
            for (int oh = oh0; oh < oh1; oh++) {
                Gemm.multiplyIndirectB(
                        outChannels,
                        outW,
                        k,
                        packedW,
                        xPad,
                        s * sampleStride + oh * wp,
                        rows,
                        y,
                        yBase + oh * outW,
                        outPlane,
                        accumulate);
            }
            if (bias == null && (!relu || accumulate)) return;
            for (int co = 0; co < outChannels; co++) {
                float b = bias == null ? 0f : bias[co];
                int from = yBase + co * outPlane + oh0 * outW, to = yBase + co * outPlane + oh1 * outW;
                if (relu && !accumulate) {
                    for (int i = from; i < to; i++) y[i] = Math.max(y[i] + b, 0f);
                } else {
                    for (int i = from; i < to; i++) y[i] += b;
                }
            }
        });
    }

    /** {@link #forward} through [CO × pw] tiles of grid pixels, parallel over (sample, panel) items. */
    private void forwardByTiles(
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
     * dW [CO × K] += Σ_s Σ_q dy[s, co, q]·x_shifted[s, r, q], with dy laid onto the padded grid (zeros in the
     * garbage columns); split and summed by {@link Reductions#weightGradient}. Large grids take dot products
     * straight from the padded image ({@link #weightGradientByDots}); small ones, where a dot product is too short
     * to pay its setup, a GEMM dWᵀ = X·dyᵀ with X packed from its shifts.
     */
    void weightGradient(float[] x, float[] dy, int outChannels, float[] dw) {
        float[] xPad = pad(x);
        if (gridPixels() >= DOT_MIN_GRID) weightGradientByDots(xPad, dy, outChannels, dw);
        else weightGradientByGemm(xPad, dy, outChannels, dw);
        BufferPool.give(xPad);
    }

    /** Grid pixels from which the dot-product weight gradient beats packing; pixels per split of the grid (2-D and 3-D). */
    static final int DOT_MIN_GRID = 2048, DOT_SEGMENT = 1024;

    /**
     * Each dW element is one dot product over the grid of dy's row co with shifted row r of the padded image:
     * {@link MicroKernel#dotBlock} takes 4 channels × 4 shifts at a time, vectorised along the pixels, so the
     * image is never packed (packing cost as much as the products where CO is small).
     */
    private void weightGradientByDots(float[] xPad, float[] dy, int outChannels, float[] dw) {
        int grid = gridPixels(), segments = (grid + DOT_SEGMENT - 1) / DOT_SEGMENT;
        Reductions.weightGradient(n, segments, 1, k, outChannels, dw, (s, p0, p1, dwt) -> {
            int q0 = p0 * DOT_SEGMENT, len = Gemm.roundUp(Math.min(p1 * DOT_SEGMENT, grid) - q0, 16);
            float[] dyGrid = Scratch.get(Scratch.COLUMNS, outChannels * len);
            for (int co = 0; co < outChannels; co++) dyOnGrid(dy, s, outChannels, co, q0, len, dyGrid, co * len);
            addDots(len, dyGrid, outChannels, xPad, rows, k, s * sampleStride + q0, dwt);
        });
    }

    /**
     * dwt[r·CO + o] += Σ_{q < len} dyGrid[o·len + q]·xPad[rows[r] + xOff + q] for every output channel o and unfolded row
     * r &lt; k: {@link MicroKernel#dotBlock} takes 4 channels × 4 shifts at a time, the edges one dot at a time (the 2-D
     * and 3-D direct weight gradients; len a multiple of 16).
     */
    static void addDots(
            int len, float[] dyGrid, int outChannels, float[] xPad, int[] rows, int k, int xOff, float[] dwt) {
        MicroKernel kernel = Gemm.kernel();
        int rowBlocks = outChannels / MicroKernel.DOT_ROWS * MicroKernel.DOT_ROWS;
        int tapBlocks = k / MicroKernel.DOT_COLUMNS * MicroKernel.DOT_COLUMNS;
        float[] sums = Scratch.get(Scratch.SPARE, MicroKernel.DOT_SCRATCH);
        for (int co = 0; co < rowBlocks; co += MicroKernel.DOT_ROWS) {
            for (int r = 0; r < tapBlocks; r += MicroKernel.DOT_COLUMNS) {
                kernel.dotBlock(len, dyGrid, co * len, len, xPad, rows, r, xOff, sums);
                for (int i = 0; i < MicroKernel.DOT_ROWS; i++) {
                    for (int j = 0; j < MicroKernel.DOT_COLUMNS; j++)
                        dwt[(r + j) * outChannels + co + i] += sums[i * MicroKernel.DOT_COLUMNS + j];
                }
            }
        }
        // What the blocks leave: the last taps of the blocked channels, every tap of the channels after them.
        for (int i = 0; i < outChannels; i++) {
            for (int r = i < rowBlocks ? tapBlocks : 0; r < k; r++)
                dwt[r * outChannels + i] += kernel.centredDot(len, dyGrid, i * len, 0f, xPad, rows[r] + xOff, 0f);
        }
    }

    /**
     * dWᵀ [K × CO] = X·dyᵀ with the pixels as depth: dyᵀ of every sample packed once, the rows of X (shifts of the
     * padded image) read in place by the kernel, so only CO × pixels values are copied, not K × pixels (packing X cost
     * ~40% of the products). Items are blocks of K rows, each summing over the samples in order into its own rows of
     * dW: no per-sample partial dW to zero and add up (that strided reduction took a third of the 16² layers' time),
     * and the result does not depend on the thread count.
     */
    private void weightGradientByGemm(float[] xPad, float[] dy, int outChannels, float[] dw) {
        int grid = gridPixels(), strip = Gemm.packedBSize(grid, outChannels), blocks = (k + ROW_BLOCK - 1) / ROW_BLOCK;
        float[] pb = BufferPool.take(n * strip);
        Parallel.forEach(n, s -> packDyTransposed(dy, s, outChannels, grid, pb, s * strip));
        Parallel.forEach(blocks, block -> {
            int r0 = block * ROW_BLOCK, m = Math.min(ROW_BLOCK, k - r0);
            float[] dwt = Scratch.get(Scratch.COLUMNS, m * outChannels);
            for (int s = 0; s < n; s++) {
                Gemm.multiplyIndirectA(
                        m,
                        outChannels,
                        grid,
                        xPad,
                        s * sampleStride,
                        rows,
                        r0,
                        pb,
                        s * strip,
                        dwt,
                        0,
                        outChannels,
                        s > 0);
            }
            for (int co = 0; co < outChannels; co++) {
                for (int r = 0; r < m; r++) dw[co * k + r0 + r] += dwt[r * outChannels + co];
            }
        });
        BufferPool.give(pb);
    }

    /** K rows per weight-gradient item: a multiple of every kernel's MR (4, 6, 8), so only the last block has an edge. */
    private static final int ROW_BLOCK = 48;

    /**
     * dyᵀ of sample s on the grid [grid × CO] packed as GEMM B at pb[pbOff...] (NR-column strips, k-major):
     * pb[pbOff + strip + q·NR + j] = dy[s, co, q] for co = the strip's column j, zero in the grid's garbage columns and
     * for the padding channels of the last strip.
     */
    private void packDyTransposed(float[] dy, int s, int outChannels, int grid, float[] pb, int pbOff) {
        int nr = Gemm.kernel().nr(), outPlane = outH * outW;
        for (int j0 = 0; j0 < outChannels; j0 += nr) {
            for (int j = 0; j < nr; j++) {
                int co = j0 + j, src = (s * outChannels + co) * outPlane, d = pbOff + j0 * grid + j;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < wp; ow++, d += nr)
                        pb[d] = co < outChannels && ow < outW ? dy[src + oh * outW + ow] : 0f;
                }
            }
        }
    }

    /**
     * dst[dOff + i] = dy[s, co] at grid pixel q0 + i for i < width: the real columns of each grid row, zeros in its
     * garbage columns and past the grid's end.
     */
    private void dyOnGrid(float[] dy, int s, int outChannels, int co, int q0, int width, float[] dst, int dOff) {
        int src = (s * outChannels + co) * outH * outW, t = dOff - q0, end = q0 + width, grid = gridPixels();
        for (int q = q0; q < end; ) {
            int oh = q / wp, rowEnd = Math.min(end, (oh + 1) * wp);
            int realEnd = Math.min(Math.min(rowEnd, oh * wp + outW), grid), from = src + oh * outW - oh * wp;
            if (realEnd > q) System.arraycopy(dy, from + q, dst, t + q, realEnd - q);
            int zeroFrom = Math.max(q, realEnd);
            if (rowEnd > zeroFrom) Arrays.fill(dst, t + zeroFrom, t + rowEnd, 0f);
            q = rowEnd;
        }
    }
}
