package org.cnnj.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 6×(2 vectors) register-blocked kernel on the Vector API: 12 accumulators + 2 B vectors + one
 * broadcast fit the 16 AVX2 registers. Loaded by reflection only when jdk.incubator.vector is present.
 *
 * <p>The two compute methods differ only in where a row of B comes from, yet are written out in full:
 * C2 keeps vectors in registers only when every accumulator is a plain local in one method; arrays of
 * vectors, loops over rows or helper calls taking vectors make it box them (10× slower).
 */
final class VectorMicroKernel extends VectorKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 6, NR = 2 * L;

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
        return "vector-" + S.vectorBitSize();
    }

    @Override
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int ap = aOff, bp = bOff;
        for (int p = 0; p < kc; p++, ap += MR, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector av = FloatVector.broadcast(S, a[ap]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ap + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ap + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ap + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ap + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ap + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        store(add, c, cOff, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
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
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int x0 = rows[row0] + xOff, x1 = rows[row0 + 1] + xOff, x2 = rows[row0 + 2] + xOff;
        int x3 = rows[row0 + 3] + xOff, x4 = rows[row0 + 4] + xOff, x5 = rows[row0 + 5] + xOff;
        int bp = bOff;
        for (int p = 0; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector av = FloatVector.broadcast(S, x[x0 + p]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, x[x1 + p]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, x[x2 + p]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, x[x3 + p]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, x[x4 + p]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, x[x5 + p]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        store(add, c, cOff, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
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
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int ap = aOff;
        for (int p = 0; p < kc; p++, ap += MR) {
            int bp = rows[row0 + p] + xOff;
            FloatVector b0 = FloatVector.fromArray(S, x, bp);
            FloatVector b1 = FloatVector.fromArray(S, x, bp + L);
            FloatVector av = FloatVector.broadcast(S, a[ap]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ap + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ap + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ap + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ap + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ap + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        store(add, c, cOff, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    private static void store(
            boolean add,
            float[] c,
            int off,
            int ldc,
            FloatVector c00,
            FloatVector c01,
            FloatVector c10,
            FloatVector c11,
            FloatVector c20,
            FloatVector c21,
            FloatVector c30,
            FloatVector c31,
            FloatVector c40,
            FloatVector c41,
            FloatVector c50,
            FloatVector c51) {
        store(add, c, off, c00, c01);
        store(add, c, off + ldc, c10, c11);
        store(add, c, off + 2 * ldc, c20, c21);
        store(add, c, off + 3 * ldc, c30, c31);
        store(add, c, off + 4 * ldc, c40, c41);
        store(add, c, off + 5 * ldc, c50, c51);
    }

    private static void store(boolean add, float[] c, int off, FloatVector lo, FloatVector hi) {
        (add ? FloatVector.fromArray(S, c, off).add(lo) : lo).intoArray(c, off);
        (add ? FloatVector.fromArray(S, c, off + L).add(hi) : hi).intoArray(c, off + L);
    }
}
