package org.cnnj.kernel;

/**
 * The innermost GEMM step: C[MR×NR] += A·B over kc steps of depth. A and B come packed (strips laid
 * out k-major: {@code a[p*MR + i]}, {@code b[p*NR + j]}) or, for direct convolution, one of them is
 * read in place from a padded image through a table of row offsets (no im2col, no packing of B).
 * Everything else in {@link Gemm} (blocking, edges, threads) is shared by all kernels.
 */
public interface MicroKernel {
    int mr();

    int nr();

    /** Which implementation this is, for benchmarks and the self-test ("vector-256", "java"). */
    String name();

    /** Both packed. */
    void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc);

    /** A packed; B row p is {@code x[rows[rowStart + p] + xOff ...]} (NR consecutive values). */
    void computeIndirectB(
            int kc, float[] a, int aOff, float[] x, int[] rows, int rowStart, int xOff, float[] c, int cOff, int ldc);
}
