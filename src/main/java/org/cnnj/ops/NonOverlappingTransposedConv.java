package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * Transposed convolution whose stride equals its kernel, without padding, dilation, output padding or groups: the
 * U-Net's 2×2 up-sampling. Every input pixel then owns its own KH×KW block of output, so the op is a 1×1
 * convolution to CO·KH·KW channels followed by depth-to-space: no overlap, no col2im adding into a zeroed image.
 * Forward: tile [CO·KH·KW × pw] = Wᵀ·x[:, panel], each tile row (co, a, b) written to output pixels
 * (i·KH + a, j·KW + b). Backward: the same rows gathered back from dy (cols), dx = W·cols, dW += x·colsᵀ.
 * (The general path took 2–3× the GEMM's time in its generic im2col/col2im and zeroing; measured in the bench.)
 *
 * <p>Shapes: x [N, C, H, W], weight [C, CO, KH, KW] → y [N, CO, H·KH, W·KW]; cols [CO·KH·KW, pw].
 */
final class NonOverlappingTransposedConv {
    /** Floats per tile of cols: about 128 KB, which stays in L2 while it is scattered. */
    private static final int TILE_FLOATS = 32 * 1024;

    final int n, cIn, cOut, h, w, kh, kw, outW, outPlane, taps, rowsPerPanel, panels;

    NonOverlappingTransposedConv(int n, int cIn, int cOut, int h, int w, int kh, int kw) {
        this.n = n;
        this.cIn = cIn;
        this.cOut = cOut;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.outW = w * kw;
        this.outPlane = h * kh * outW;
        this.taps = cOut * kh * kw;
        this.rowsPerPanel = Math.max(1, Math.min(h, TILE_FLOATS / Math.max(1, taps * w)));
        this.panels = (h + rowsPerPanel - 1) / rowsPerPanel;
    }

    /** Whether {@code p} with a KH×KW kernel is this case. */
    static boolean applies(ConvParams p, int kh, int kw) {
        return p.strideH() == kh
                && p.strideW() == kw
                && p.padH() == 0
                && p.padW() == 0
                && p.dilationH() == 1
                && p.dilationW() == 1
                && p.outputPadH() == 0
                && p.outputPadW() == 0
                && p.groups() == 1;
    }

    /** y = every output pixel once (no zeroing needed), bias added as it is written. */
    void forward(float[] x, float[] weight, float[] bias, float[] y) {
        Parallel.forEach(n * panels, item -> {
            int s = item / panels, i0 = (item % panels) * rowsPerPanel, rows = Math.min(rowsPerPanel, h - i0);
            int width = rows * w;
            float[] tile = Scratch.get(Scratch.COLUMN_GRADIENT, taps * width);
            Gemm.multiply(
                    true,
                    false,
                    taps,
                    width,
                    cIn,
                    weight,
                    0,
                    taps,
                    x,
                    (s * cIn) * h * w + i0 * w,
                    h * w,
                    tile,
                    0,
                    width,
                    false);
            scatter(tile, width, i0, rows, bias, y, s * cOut * outPlane);
        });
    }

    /** Tile row (co, a, b), pixel (i0 + li, j) → y[co, (i0 + li)·KH + a, j·KW + b], plus bias[co]. */
    private void scatter(float[] tile, int width, int i0, int rows, float[] bias, float[] y, int yBase) {
        for (int co = 0; co < cOut; co++) {
            float b0 = bias == null ? 0f : bias[co];
            for (int a = 0; a < kh; a++) {
                for (int li = 0; li < rows; li++) {
                    int dst = yBase + co * outPlane + ((i0 + li) * kh + a) * outW;
                    for (int b = 0; b < kw; b++) {
                        int src = ((co * kh + a) * kw + b) * width + li * w;
                        for (int j = 0; j < w; j++) y[dst + j * kw + b] = tile[src + j] + b0;
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #scatter}: cols[(co, a, b), li·W + j] = dy[co, (i0 + li)·KH + a, j·KW + b]. */
    private void gather(float[] dy, int dyBase, int i0, int rows, float[] cols) {
        int width = rows * w;
        for (int co = 0; co < cOut; co++) {
            for (int a = 0; a < kh; a++) {
                for (int li = 0; li < rows; li++) {
                    int src = dyBase + co * outPlane + ((i0 + li) * kh + a) * outW;
                    for (int b = 0; b < kw; b++) {
                        int dst = ((co * kh + a) * kw + b) * width + li * w;
                        for (int j = 0; j < w; j++) cols[dst + j] = dy[src + j * kw + b];
                    }
                }
            }
        }
    }

    /** dx (+)= W·cols per (sample, panel): each item owns its pixels of dx. */
    void dataGradient(float[] weight, float[] dy, float[] dx, boolean accumulate) {
        Parallel.forEach(n * panels, item -> {
            int s = item / panels, i0 = (item % panels) * rowsPerPanel, rows = Math.min(rowsPerPanel, h - i0);
            int width = rows * w;
            float[] cols = Scratch.get(Scratch.COLUMNS, taps * width);
            gather(dy, s * cOut * outPlane, i0, rows, cols);
            Gemm.multiply(
                    false,
                    false,
                    cIn,
                    width,
                    taps,
                    weight,
                    0,
                    taps,
                    cols,
                    0,
                    width,
                    dx,
                    s * cIn * h * w + i0 * w,
                    h * w,
                    accumulate);
        });
    }

    /**
     * dW [C, CO·KH·KW] += Σ x·colsᵀ, per (sample, chunk of panels) partials summed in a fixed order. colsᵀ is gathered
     * straight into the GEMM's packed-B layout and x packed as A: packing x transposed (a gather down C rows
     * in lockstep) took longer than the products.
     */
    void weightGradient(float[] x, float[] dy, float[] dw) {
        int nr = Gemm.kernel().nr(), mr = Gemm.kernel().mr();
        Reductions.splitAndSum(
                n,
                panels,
                dw.length,
                (s, p0, p1, part) -> {
                    for (int panel = p0; panel < p1; panel++) {
                        int i0 = panel * rowsPerPanel, rows = Math.min(rowsPerPanel, h - i0), width = rows * w;
                        float[] colsT = Scratch.get(Scratch.COLUMNS, Gemm.roundUp(taps, nr) * width);
                        gatherTransposedPacked(dy, s * cOut * outPlane, i0, rows, colsT, nr);
                        float[] xPacked = Scratch.get(Scratch.SPARE, Gemm.roundUp(cIn, mr) * width);
                        Gemm.packA(false, cIn, width, x, s * cIn * h * w + i0 * w, h * w, xPacked);
                        Gemm.multiplyPacked(cIn, taps, width, xPacked, 0, colsT, 0, part, 0, taps, true);
                    }
                },
                part -> {
                    for (int i = 0; i < dw.length; i++) dw[i] += part[i];
                });
    }

    /**
     * {@link #gather} into packed-B layout over the taps: element (pixel p, tap r) at (r/NR)·width·NR + p·NR + r%NR,
     * the taps past the last zero.
     */
    private void gatherTransposedPacked(float[] dy, int dyBase, int i0, int rows, float[] dst, int nr) {
        int width = rows * w;
        for (int co = 0; co < cOut; co++) {
            for (int a = 0; a < kh; a++) {
                for (int b = 0; b < kw; b++) {
                    int r = (co * kh + a) * kw + b, strip = (r / nr) * width * nr + r % nr;
                    for (int li = 0; li < rows; li++) {
                        int src = dyBase + co * outPlane + ((i0 + li) * kh + a) * outW + b, d = strip + li * w * nr;
                        for (int j = 0; j < w; j++) dst[d + j * nr] = dy[src + j * kw];
                    }
                }
            }
        }
        for (int r = taps; r < Gemm.roundUp(taps, nr); r++) {
            int strip = (r / nr) * width * nr + r % nr;
            for (int p = 0; p < width; p++) dst[strip + p * nr] = 0f;
        }
    }
}
