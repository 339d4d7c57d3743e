package org.cnnj.kernel;

/** Plain-Java 4×16 kernel: the fallback when the Vector API module is not present. */
final class JavaMicroKernel implements MicroKernel {
    private static final int MR = 4, NR = 16;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean add) {
        float[] acc = new float[MR * NR]; // small and local: C2 keeps it off the heap
        for (int p = 0; p < kc; p++)
            rankOne(
                    acc,
                    a[aOff + p * MR],
                    a[aOff + p * MR + 1],
                    a[aOff + p * MR + 2],
                    a[aOff + p * MR + 3],
                    b,
                    bOff + p * NR);
        store(acc, c, cOff, ldc, add);
    }

    @Override
    public void computeIndirectA(
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
            boolean add) {
        float[] acc = new float[MR * NR];
        int x0 = rows[row0] + xOff, x1 = rows[row0 + 1] + xOff, x2 = rows[row0 + 2] + xOff, x3 = rows[row0 + 3] + xOff;
        for (int p = 0; p < kc; p++) rankOne(acc, x[x0 + p], x[x1 + p], x[x2 + p], x[x3 + p], b, bOff + p * NR);
        store(acc, c, cOff, ldc, add);
    }

    @Override
    public void computeIndirectB(
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
            boolean add) {
        float[] acc = new float[MR * NR];
        for (int p = 0; p < kc; p++)
            rankOne(
                    acc,
                    a[aOff + p * MR],
                    a[aOff + p * MR + 1],
                    a[aOff + p * MR + 2],
                    a[aOff + p * MR + 3],
                    x,
                    rows[row0 + p] + xOff);
        store(acc, c, cOff, ldc, add);
    }

    @Override
    public void dotBlock(
            int len, float[] u, int uOff, int uStride, float[] v, int[] rows, int rowStart, int vOff, float[] out) {
        for (int i = 0; i < DOT_ROWS; i++) {
            for (int j = 0; j < DOT_COLUMNS; j++)
                out[i * DOT_COLUMNS + j] = centredDot(len, u, uOff + i * uStride, 0f, v, rows[rowStart + j] + vOff, 0f);
        }
    }

    /**
     * In 8 interleaved float partial sums added in a fixed order: one running sum is a chain of dependent adds (one
     * per 4 cycles); eight independent chains keep the adders busy.
     */
    @Override
    public float sum(float[] v, int from, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from, end = from + len, blocked = from + (len & ~7);
        for (; i < blocked; i += 8) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
            s4 += v[i + 4];
            s5 += v[i + 5];
            s6 += v[i + 6];
            s7 += v[i + 7];
        }
        for (; i < end; i++) s0 += v[i];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    @Override
    public float centredDot(int len, float[] u, int uOff, float uMean, float[] v, int vOff, float vMean) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int q = 0, blocked = len & ~7;
        for (; q < blocked; q += 8) {
            int i = uOff + q, j = vOff + q;
            s0 += (u[i] - uMean) * (v[j] - vMean);
            s1 += (u[i + 1] - uMean) * (v[j + 1] - vMean);
            s2 += (u[i + 2] - uMean) * (v[j + 2] - vMean);
            s3 += (u[i + 3] - uMean) * (v[j + 3] - vMean);
            s4 += (u[i + 4] - uMean) * (v[j + 4] - vMean);
            s5 += (u[i + 5] - uMean) * (v[j + 5] - vMean);
            s6 += (u[i + 6] - uMean) * (v[j + 6] - vMean);
            s7 += (u[i + 7] - uMean) * (v[j + 7] - vMean);
        }
        for (; q < len; q++) s0 += (u[uOff + q] - uMean) * (v[vOff + q] - vMean);
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** {@link #sum} and {@link #centredDot}(d, 0, x, mean) of the gated d, with their chains and order. */
    @Override
    public void reluGatedSums(
            int len, float[] dy, float[] x, int off, float scale, float shift, float mean, float[] out) {
        float[] d = new float[8];
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        float t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
        int q = 0, blocked = len & ~7;
        for (; q < blocked; q += 8) {
            int i = off + q;
            for (int j = 0; j < 8; j++) d[j] = x[i + j] * scale + shift > 0f ? dy[i + j] : 0f;
            s0 += d[0];
            s1 += d[1];
            s2 += d[2];
            s3 += d[3];
            s4 += d[4];
            s5 += d[5];
            s6 += d[6];
            s7 += d[7];
            t0 += d[0] * (x[i] - mean);
            t1 += d[1] * (x[i + 1] - mean);
            t2 += d[2] * (x[i + 2] - mean);
            t3 += d[3] * (x[i + 3] - mean);
            t4 += d[4] * (x[i + 4] - mean);
            t5 += d[5] * (x[i + 5] - mean);
            t6 += d[6] * (x[i + 6] - mean);
            t7 += d[7] * (x[i + 7] - mean);
        }
        for (; q < len; q++) {
            int i = off + q;
            float di = x[i] * scale + shift > 0f ? dy[i] : 0f;
            s0 += di;
            t0 += di * (x[i] - mean);
        }
        out[0] = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        out[1] = ((t0 + t1) + (t2 + t3)) + ((t4 + t5) + (t6 + t7));
    }

    private static void rankOne(float[] acc, float a0, float a1, float a2, float a3, float[] b, int bp) {
        for (int j = 0; j < NR; j++) {
            float bj = b[bp + j];
            acc[j] += a0 * bj;
            acc[NR + j] += a1 * bj;
            acc[2 * NR + j] += a2 * bj;
            acc[3 * NR + j] += a3 * bj;
        }
    }

    private static void store(float[] acc, float[] c, int cOff, int ldc, boolean add) {
        for (int i = 0; i < MR; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < NR; j++) c[ci + j] = add ? c[ci + j] + acc[i * NR + j] : acc[i * NR + j];
        }
    }
}
