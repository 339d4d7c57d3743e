package org.cnnj.kernel;

import java.util.Arrays;
import org.cnnj.util.Parallel;

/**
 * Single-precision matrix multiply C = op(A)·op(B) (+ C when accumulating), row-major, in the
 * Goto/BLIS scheme. Operands are packed into strips the micro-kernel streams: A into MR-row strips
 * and B into NR-column strips, each k-major over the whole depth k (element (p, i) of a strip at
 * p·MR + i), so any KC block of a strip starts at pc·MR. The loops keep an MC×KC block of A in L2
 * and a KC×NR strip of B in L1.
 *
 * <p>Convolution packs its weights once per call ({@link #packA}) and writes im2col columns straight
 * into packed-B layout, then calls {@link #multiplyPacked}; {@link #multiply} packs both operands
 * itself into thread-local buffers (no garbage per call).
 */
public final class Gemm {
    private static final int KC = 256, MC = 96, NC = 1024;

    private static final class Workspace {
        float[] packA = new float[0], packB = new float[0];
        final float[] edge = new float[64 * 64];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm() {}

    public static MicroKernel kernel() {
        return Kernels.active();
    }

    /** Floats needed to pack an m×k op(A). */
    public static int packedASize(int m, int k) {
        return roundUp(m, kernel().mr()) * k;
    }

    /** Floats needed to pack a k×n op(B). */
    public static int packedBSize(int k, int n) {
        return roundUp(n, kernel().nr()) * k;
    }

    /**
     * Packs op(A)[m×k] (op(A)[i][p] = trans ? a[p·lda + i] : a[i·lda + p]) into MR-row strips, zero-padded. Strips
     * are packed in parallel when A is large: a convolution packs its weights on the calling thread before its
     * parallel loop, and a 128×1152 layer's packing was the longest serial stretch of a training step.
     */
    public static void packA(boolean trans, int m, int k, float[] a, int aOff, int lda, float[] dst) {
        int mr = kernel().mr(), strips = (m + mr - 1) / mr;
        if ((long) m * k < PARALLEL_PACK) {
            for (int strip = 0; strip < strips; strip++) packAStrip(trans, m, k, a, aOff, lda, dst, strip, mr);
        } else {
            Parallel.forEach(strips, strip -> packAStrip(trans, m, k, a, aOff, lda, dst, strip, mr));
        }
    }

    /** Elements of A from which packing it is split over the pool. */
    private static final long PARALLEL_PACK = 1 << 15;

    private static void packAStrip(
            boolean trans, int m, int k, float[] a, int aOff, int lda, float[] dst, int strip, int mr) {
        int ir = strip * mr, d = ir * k, rows = Math.min(mr, m - ir);
        for (int p = 0; p < k; p++, d += mr) {
            if (trans) {
                System.arraycopy(a, aOff + p * lda + ir, dst, d, rows);
            } else {
                int src = aOff + ir * lda + p;
                for (int i = 0; i < rows; i++) dst[d + i] = a[src + i * lda];
            }
            for (int i = rows; i < mr; i++) dst[d + i] = 0f;
        }
    }

    /** Packs op(B)[k×n] (op(B)[p][j] = trans ? b[j·ldb + p] : b[p·ldb + j]) into NR-column strips, zero-padded. */
    public static void packB(boolean trans, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
        int nr = kernel().nr(), d = 0;
        for (int jr = 0; jr < n; jr += nr) {
            int cols = Math.min(nr, n - jr);
            for (int p = 0; p < k; p++, d += nr) {
                if (trans) {
                    int src = bOff + jr * ldb + p;
                    for (int j = 0; j < cols; j++) dst[d + j] = b[src + j * ldb];
                } else {
                    System.arraycopy(b, bOff + p * ldb + jr, dst, d, cols);
                }
                for (int j = cols; j < nr; j++) dst[d + j] = 0f;
            }
        }
    }

    /** C[m×n] (+)= A·B from operands packed by {@link #packA}/{@link #packB} (or im2col) over depth k. */
    public static void multiplyPacked(
            int m,
            int n,
            int k,
            float[] pa,
            int paOff,
            float[] pb,
            int pbOff,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        MicroKernel kernel = kernel();
        int mr = kernel.mr(), nr = kernel.nr();
        drive(
                m,
                n,
                k,
                c,
                cOff,
                ldc,
                accumulate,
                (kc, pc, ir, jr, dst, dOff, ldd, add) -> kernel.compute(
                        kc, pa, paOff + ir * k + pc * mr, pb, pbOff + jr * k + pc * nr, dst, dOff, ldd, add));
    }

    /**
     * C[m×n] (+)= A·B with A packed and B read in place: B[p][j] = x[rows[p] + xOff + j]. Direct
     * convolution: row p of B is one (channel, kernel tap) shift of the padded image, so no im2col
     * matrix is ever written. x must hold NR readable values past the last column of every row.
     */
    public static void multiplyIndirectB(
            int m,
            int n,
            int k,
            float[] pa,
            float[] x,
            int xOff,
            int[] rows,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        MicroKernel kernel = kernel();
        int mr = kernel.mr();
        drive(
                m,
                n,
                k,
                c,
                cOff,
                ldc,
                accumulate,
                (kc, pc, ir, jr, dst, dOff, ldd, add) ->
                        kernel.computeIndirectB(kc, pa, ir * k + pc * mr, x, rows, pc, xOff + jr, dst, dOff, ldd, add));
    }

    /**
     * C[m×n] (+)= A·B with B packed and A read in place: A[i][p] = x[rows[rowStart + i] + xOff + p], rows holding
     * rowStart + m rounded up to MR entries (the extra rows may point anywhere readable; their products are dropped). The weight
     * gradient of direct convolution, dWᵀ = X·dyᵀ, whose rows of X are shifts of the padded image: nothing is packed.
     */
    public static void multiplyIndirectA(
            int m,
            int n,
            int k,
            float[] x,
            int xOff,
            int[] rows,
            int rowStart,
            float[] pb,
            int pbOff,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        MicroKernel kernel = kernel();
        int nr = kernel.nr();
        if (rows.length < roundUp(m, kernel.mr()))
            throw new IllegalArgumentException("rows: " + rows.length + " < " + m);
        drive(
                m,
                n,
                k,
                c,
                cOff,
                ldc,
                accumulate,
                (kc, pc, ir, jr, dst, dOff, ldd, add) -> kernel.computeIndirectA(
                        kc, x, rows, rowStart + ir, xOff + pc, pb, pbOff + jr * k + pc * nr, dst, dOff, ldd, add));
    }

    /** One MR×NR block at rows ir, columns jr, depth pc..pc+kc, written to dst or added to it. */
    @FunctionalInterface
    private interface Block {
        void compute(int kc, int pc, int ir, int jr, float[] dst, int dOff, int ldd, boolean add);
    }

    /**
     * The blocking loops shared by every operand layout; partial edge blocks go through scratch. The depth is cut
     * into equal blocks of at most KC (288 = 144 + 144, not 256 + 32: each block loads and stores C once). Without
     * {@code accumulate} the first depth block writes C instead of adding to it, so C is never zeroed first.
     */
    private static void drive(int m, int n, int k, float[] c, int cOff, int ldc, boolean accumulate, Block block) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        MicroKernel kernel = kernel();
        int mr = kernel.mr(), nr = kernel.nr();
        float[] edge = WORKSPACE.get().edge;
        int depthBlocks = (k + KC - 1) / KC, depthStep = (k + depthBlocks - 1) / depthBlocks;
        for (int pc = 0; pc < k; pc += depthStep) {
            int kc = Math.min(depthStep, k - pc);
            boolean add = accumulate || pc > 0;
            for (int ic = 0; ic < m; ic += MC) {
                int icEnd = Math.min(m, ic + MC);
                for (int jr = 0; jr < n; jr += nr) {
                    int nn = Math.min(nr, n - jr);
                    for (int ir = ic; ir < icEnd; ir += mr) {
                        int mm = Math.min(mr, m - ir);
                        int cBlock = cOff + ir * ldc + jr;
                        if (mm == mr && nn == nr) {
                            block.compute(kc, pc, ir, jr, c, cBlock, ldc, add);
                        } else {
                            block.compute(kc, pc, ir, jr, edge, 0, nr, false);
                            for (int i = 0; i < mm; i++) {
                                int ci = cBlock + i * ldc, ei = i * nr;
                                if (add) {
                                    for (int j = 0; j < nn; j++) c[ci + j] += edge[ei + j];
                                } else {
                                    System.arraycopy(edge, ei, c, ci, nn);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * C[m×n] (leading dimension ldc) = op(A)[m×k]·op(B)[k×n] (+ C if {@code accumulate}).
     * op(A)[i][p] = transA ? A[p·lda + i] : A[i·lda + p]; likewise for B.
     */
    public static void multiply(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            drive(m, n, 0, c, cOff, ldc, accumulate, null);
            return;
        }
        Workspace ws = WORKSPACE.get();
        int aSize = packedASize(m, k);
        if (ws.packA.length < aSize) ws.packA = new float[aSize];
        packA(transA, m, k, a, aOff, lda, ws.packA);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int bSize = packedBSize(k, nc);
            if (ws.packB.length < bSize) ws.packB = new float[bSize];
            packB(transB, k, nc, b, transB ? bOff + jc * ldb : bOff + jc, ldb, ws.packB);
            multiplyPacked(m, nc, k, ws.packA, 0, ws.packB, 0, c, cOff + jc, ldc, accumulate);
        }
    }

    /** {@link #multiply} split over the pool by blocks of C; for single large products (batch 1). */
    public static void multiplyParallel(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        int threads = Parallel.threads();
        long work = (long) m * n * k;
        if (threads == 1 || work < 1L << 21) {
            multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        MicroKernel kernel = kernel();
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

    public static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
