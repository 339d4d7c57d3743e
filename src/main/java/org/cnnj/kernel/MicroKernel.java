package org.cnnj.kernel;

/**
 * The innermost GEMM step: C[MR×NR] += A·B for one packed MR-row strip of A and one packed NR-column
 * strip of B, both laid out k-major ({@code a[p*MR + i]}, {@code b[p*NR + j]}). Everything else in
 * {@link Gemm} (blocking, packing, edges, threads) is shared by all kernels.
 */
public interface MicroKernel {
    int mr();

    int nr();

    /** Which implementation this is, for benchmarks and the self-test ("vector-256", "java"). */
    String name();

    void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc);
}
