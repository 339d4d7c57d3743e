package org.cnnj.kernel;

/**
 * The innermost GEMM step: C[MR×NR] = A·B over kc steps of depth, added to C when {@code add} (C is neither
 * read nor zeroed first otherwise: the first depth block of a product that overwrites C). A and B come packed (strips laid
 * out k-major: {@code a[p*MR + i]}, {@code b[p*NR + j]}) or, for direct convolution, one of them is
 * read in place from a padded image through a table of row offsets (no im2col, no packing of B).
 * Everything else in {@link Gemm} (blocking, edges, threads) is shared by all kernels. The kernel also holds the
 * other inner loops that only the Vector API vectorizes (C2 keeps float reductions in order, one add at a time):
 * the dot products of a weight gradient and the per-channel sums of batch norm.
 */
public interface MicroKernel {
    int mr();

    int nr();

    /** Which implementation this is, for benchmarks and the self-test ("vector-256", "java"). */
    String name();

    /** Both packed. */
    void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean add);

    /** Rows of u and shifted rows of v that {@link #dotBlock} pairs: the weight gradient of a direct convolution. */
    int DOT_ROWS = 4, DOT_COLUMNS = 4;

    /** Floats {@link #dotBlock}'s out must hold: the 16 sums, then room for 16 vectors of up to 16 lanes. */
    int DOT_SCRATCH = 32 + DOT_ROWS * DOT_COLUMNS * 16;

    /**
     * out[i·DOT_COLUMNS + j] = Σ_{q < len} u[uOff + i·uStride + q] · v[rows[rowStart + j] + vOff + q] for every
     * i < DOT_ROWS, j < DOT_COLUMNS; len is a multiple of 16. Vectorised over q, so no operand is packed. The lanes
     * of each sum are added in lane order (not by the Vector API's reduceLanes, whose order the JIT may change), so
     * the result is the same in every run.
     */
    void dotBlock(
            int len, float[] u, int uOff, int uStride, float[] v, int[] rows, int rowStart, int vOff, float[] out);

    /** Σ v[from + i] for i < len, any len; the same order (lanes, then lane order, then the tail) on every run. */
    float sum(float[] v, int from, int len);

    /**
     * Σ_{q < len} (u[uOff + q] − uMean)·(v[vOff + q] − vMean), any len, in the order of {@link #sum}: a plain dot
     * product (means 0: the edges {@link #dotBlock} leaves), a variance (u = v) or a dot product with one side
     * centred, the means taken off before multiplying (no cancellation of large sums).
     */
    float centredDot(int len, float[] u, int uOff, float uMean, float[] v, int vOff, float vMean);

    /**
     * The two sums of batch norm's backward through its fused ReLU, the ReLU's gate recomputed from the input
     * instead of read from the output: with d[q] = dy[q] where x[q]·scale + shift &gt; 0 (the forward's pre-ReLU
     * value, same float operations), else +0, over q in [off, off + len): out[0] = Σ d, out[1] = Σ d·(x − mean).
     * Bit for bit {@link #sum}(d) and {@link #centredDot}(d, 0, x, mean), without writing d.
     */
    void reluGatedSums(int len, float[] dy, float[] x, int off, float scale, float shift, float mean, float[] out);

    /**
     * B packed; A row i is {@code x[rows[row0 + i] + xOff ...]} (kc consecutive values) for i < MR: the weight gradient
     * of a direct convolution, whose depth is the pixels and whose A rows are shifts of the padded image, read in place.
     */
    void computeIndirectA(
            int kc,
            float[] x,
            int[] rows,
            int row0,
            int xOff,
            float[] b,
            int bOff,
            float[] c,
            int cOff,
            int ldc,
            boolean add);

    /** A packed; B row p is {@code x[rows[row0 + p] + xOff ...]} (NR consecutive values). */
    void computeIndirectB(
            int kc,
            float[] a,
            int aOff,
            float[] x,
            int[] rows,
            int row0,
            int xOff,
            float[] c,
            int cOff,
            int ldc,
            boolean add);
}
