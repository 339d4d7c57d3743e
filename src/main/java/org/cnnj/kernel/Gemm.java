package org.cnnj.kernel;

import org.cnnj.util.Parallel;

/**
 * Single-precision matrix multiply C = op(A)·op(B) (+ C when accumulating), row-major, in the
 * Goto/BLIS scheme: B is packed in KC×NC blocks (L3), A in MC×KC blocks (L2), and the micro-kernel
 * streams MR×KC by KC×NR strips (L1). op(X) is X or its transpose, chosen by the packing routine so
 * that conv forward (W·col), backward-data (Wᵀ·dY) and backward-weights (dY·colᵀ) share one path.
 *
 * <p>{@link #multiply} runs on the calling thread with thread-local packing buffers (no garbage per
 * call); {@link #multiplyParallel} splits C into column or row blocks over the pool.
 */
public final class Gemm {
    private static final int KC = 256, MC = 96, NC = 2048;

    private static final class Workspace {
        float[] packA = new float[0], packB = new float[0];
        final float[] edge = new float[64 * 64];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm() {}

    /**
     * C[m×n] (leading dimension ldc) = op(A)[m×k]·op(B)[k×n] (+ C if {@code accumulate}).
     * op(A)[i][p] = transA ? A[p*lda + i] : A[i*lda + p]; likewise for B.
     */
    public static void multiply(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
        if (k <= 0) return;
        MicroKernel kernel = Kernels.active();
        int mr = kernel.mr(), nr = kernel.nr();
        Workspace ws = WORKSPACE.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int ncPadded = roundUp(nc, nr);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                if (ws.packB.length < kc * ncPadded) ws.packB = new float[KC * roundUp(NC, nr)];
                packB(transB, b, bOff, ldb, pc, jc, kc, nc, nr, ws.packB);
                for (int ic = 0; ic < m; ic += MC) {
                    int mcBlock = Math.min(MC, m - ic);
                    int mcPadded = roundUp(mcBlock, mr);
                    if (ws.packA.length < kc * mcPadded) ws.packA = new float[KC * roundUp(MC, mr)];
                    packA(transA, a, aOff, lda, ic, pc, mcBlock, kc, mr, ws.packA);
                    macroKernel(kernel, kc, mcBlock, nc, ws, c, cOff + ic * ldc + jc, ldc);
                }
            }
        }
    }

    /** {@link #multiply} split over the pool by blocks of C; for single large products (batch 1). */
    public static void multiplyParallel(boolean transA, boolean transB, int m, int n, int k,
                                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                        float[] c, int cOff, int ldc, boolean accumulate) {
        int threads = Parallel.threads();
        long work = (long) m * n * k;
        if (threads == 1 || work < 1L << 21) {
            multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        MicroKernel kernel = Kernels.active();
        if (n >= m) {
            int step = roundUp((n + threads - 1) / threads, kernel.nr());
            int parts = (n + step - 1) / step;
            Parallel.forEach(parts, t -> {
                int j0 = t * step, nn = Math.min(step, n - j0);
                int bStart = transB ? bOff + j0 * ldb : bOff + j0;
                multiply(transA, transB, m, nn, k, a, aOff, lda, b, bStart, ldb, c, cOff + j0, ldc, accumulate);
            });
        } else {
            int step = roundUp((m + threads - 1) / threads, kernel.mr());
            int parts = (m + step - 1) / step;
            Parallel.forEach(parts, t -> {
                int i0 = t * step, mm = Math.min(step, m - i0);
                int aStart = transA ? aOff + i0 : aOff + i0 * lda;
                multiply(transA, transB, mm, n, k, a, aStart, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, accumulate);
            });
        }
    }

    private static void macroKernel(MicroKernel kernel, int kc, int mc, int nc, Workspace ws, float[] c, int cOff, int ldc) {
        int mr = kernel.mr(), nr = kernel.nr();
        float[] edge = ws.edge;
        for (int jr = 0; jr < nc; jr += nr) {
            int nn = Math.min(nr, nc - jr);
            int bStrip = jr * kc;
            for (int ir = 0; ir < mc; ir += mr) {
                int mm = Math.min(mr, mc - ir);
                int aStrip = ir * kc;
                int cBlock = cOff + ir * ldc + jr;
                if (mm == mr && nn == nr) {
                    kernel.compute(kc, ws.packA, aStrip, ws.packB, bStrip, c, cBlock, ldc);
                } else {
                    // Partial block: compute the full padded block into scratch, add the valid part.
                    java.util.Arrays.fill(edge, 0, mr * nr, 0f);
                    kernel.compute(kc, ws.packA, aStrip, ws.packB, bStrip, edge, 0, nr);
                    for (int i = 0; i < mm; i++) {
                        int ci = cBlock + i * ldc, ei = i * nr;
                        for (int j = 0; j < nn; j++) c[ci + j] += edge[ei + j];
                    }
                }
            }
        }
    }

    /** Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-row strips, k-major, zero-padded to a full strip. */
    private static void packA(boolean trans, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, int mr, float[] dst) {
        int d = 0;
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            for (int p = 0; p < kc; p++) {
                if (trans) {
                    int src = aOff + (pc + p) * lda + ic + ir;
                    for (int i = 0; i < rows; i++) dst[d + i] = a[src + i];
                } else {
                    int src = aOff + (ic + ir) * lda + pc + p;
                    for (int i = 0; i < rows; i++) dst[d + i] = a[src + i * lda];
                }
                for (int i = rows; i < mr; i++) dst[d + i] = 0f;
                d += mr;
            }
        }
    }

    /** Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-column strips, k-major, zero-padded to a full strip. */
    private static void packB(boolean trans, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc, int nr, float[] dst) {
        int d = 0;
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            for (int p = 0; p < kc; p++) {
                if (trans) {
                    int src = bOff + (jc + jr) * ldb + pc + p;
                    for (int j = 0; j < cols; j++) dst[d + j] = b[src + j * ldb];
                } else {
                    System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, dst, d, cols);
                }
                for (int j = cols; j < nr; j++) dst[d + j] = 0f;
                d += nr;
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
