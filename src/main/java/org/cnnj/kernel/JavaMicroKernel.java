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
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc) {
        float[] acc = new float[MR * NR]; // escapes nowhere: C2 scalar-replaces or keeps it in L1
        for (int p = 0; p < kc; p++) {
            int bp = bOff + p * NR, ap = aOff + p * MR;
            for (int i = 0; i < MR; i++) {
                float ai = a[ap + i];
                int row = i * NR;
                for (int j = 0; j < NR; j++) acc[row + j] += ai * b[bp + j];
            }
        }
        for (int i = 0; i < MR; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < NR; j++) c[ci + j] += acc[i * NR + j];
        }
    }
}
