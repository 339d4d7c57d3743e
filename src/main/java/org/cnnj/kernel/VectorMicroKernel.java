package org.cnnj.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 6×(2 vectors) register-blocked kernel on the Vector API: 12 accumulators + 2 B vectors + one
 * broadcast fit the 16 AVX2 registers. Loaded by reflection only when jdk.incubator.vector is present.
 *
 * <p>The three compute methods differ only in where a row of A or B comes from, yet are written out in full, in the
 * shape of {@link Vector512MicroKernel}: every accumulator its own local started from its own zero(), every
 * broadcast its own local, the stores inline. C2 keeps vectors in registers only then; shared initial values ({@code
 * c01 = c00}), a reused broadcast temporary or a store helper taking the accumulators made it box them — on AVX2
 * this kernel ran at 4 GFLOP/s on one core with a GC storm (measured 2026-12-06), against ~30 for one core's
 * vector dot product.
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
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ap = aOff, bp = bOff;
        for (int p = 0; p < kc; p++, ap += MR, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        int r0 = cOff;
        (add ? FloatVector.fromArray(S, c, r0).add(c00) : c00).intoArray(c, r0);
        (add ? FloatVector.fromArray(S, c, r0 + L).add(c01) : c01).intoArray(c, r0 + L);
        int r1 = cOff + 1 * ldc;
        (add ? FloatVector.fromArray(S, c, r1).add(c10) : c10).intoArray(c, r1);
        (add ? FloatVector.fromArray(S, c, r1 + L).add(c11) : c11).intoArray(c, r1 + L);
        int r2 = cOff + 2 * ldc;
        (add ? FloatVector.fromArray(S, c, r2).add(c20) : c20).intoArray(c, r2);
        (add ? FloatVector.fromArray(S, c, r2 + L).add(c21) : c21).intoArray(c, r2 + L);
        int r3 = cOff + 3 * ldc;
        (add ? FloatVector.fromArray(S, c, r3).add(c30) : c30).intoArray(c, r3);
        (add ? FloatVector.fromArray(S, c, r3 + L).add(c31) : c31).intoArray(c, r3 + L);
        int r4 = cOff + 4 * ldc;
        (add ? FloatVector.fromArray(S, c, r4).add(c40) : c40).intoArray(c, r4);
        (add ? FloatVector.fromArray(S, c, r4 + L).add(c41) : c41).intoArray(c, r4 + L);
        int r5 = cOff + 5 * ldc;
        (add ? FloatVector.fromArray(S, c, r5).add(c50) : c50).intoArray(c, r5);
        (add ? FloatVector.fromArray(S, c, r5 + L).add(c51) : c51).intoArray(c, r5 + L);
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
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int x0 = rows[row0] + xOff, x1 = rows[row0 + 1] + xOff, x2 = rows[row0 + 2] + xOff;
        int x3 = rows[row0 + 3] + xOff, x4 = rows[row0 + 4] + xOff, x5 = rows[row0 + 5] + xOff;
        int bp = bOff;
        for (int p = 0; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, x[x2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, x[x3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, x[x4 + p]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, x[x5 + p]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        int r0 = cOff;
        (add ? FloatVector.fromArray(S, c, r0).add(c00) : c00).intoArray(c, r0);
        (add ? FloatVector.fromArray(S, c, r0 + L).add(c01) : c01).intoArray(c, r0 + L);
        int r1 = cOff + 1 * ldc;
        (add ? FloatVector.fromArray(S, c, r1).add(c10) : c10).intoArray(c, r1);
        (add ? FloatVector.fromArray(S, c, r1 + L).add(c11) : c11).intoArray(c, r1 + L);
        int r2 = cOff + 2 * ldc;
        (add ? FloatVector.fromArray(S, c, r2).add(c20) : c20).intoArray(c, r2);
        (add ? FloatVector.fromArray(S, c, r2 + L).add(c21) : c21).intoArray(c, r2 + L);
        int r3 = cOff + 3 * ldc;
        (add ? FloatVector.fromArray(S, c, r3).add(c30) : c30).intoArray(c, r3);
        (add ? FloatVector.fromArray(S, c, r3 + L).add(c31) : c31).intoArray(c, r3 + L);
        int r4 = cOff + 4 * ldc;
        (add ? FloatVector.fromArray(S, c, r4).add(c40) : c40).intoArray(c, r4);
        (add ? FloatVector.fromArray(S, c, r4 + L).add(c41) : c41).intoArray(c, r4 + L);
        int r5 = cOff + 5 * ldc;
        (add ? FloatVector.fromArray(S, c, r5).add(c50) : c50).intoArray(c, r5);
        (add ? FloatVector.fromArray(S, c, r5 + L).add(c51) : c51).intoArray(c, r5 + L);
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
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ap = aOff;
        for (int p = 0; p < kc; p++, ap += MR) {
            int bp = rows[row0 + p] + xOff;
            FloatVector b0 = FloatVector.fromArray(S, x, bp);
            FloatVector b1 = FloatVector.fromArray(S, x, bp + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        int r0 = cOff;
        (add ? FloatVector.fromArray(S, c, r0).add(c00) : c00).intoArray(c, r0);
        (add ? FloatVector.fromArray(S, c, r0 + L).add(c01) : c01).intoArray(c, r0 + L);
        int r1 = cOff + 1 * ldc;
        (add ? FloatVector.fromArray(S, c, r1).add(c10) : c10).intoArray(c, r1);
        (add ? FloatVector.fromArray(S, c, r1 + L).add(c11) : c11).intoArray(c, r1 + L);
        int r2 = cOff + 2 * ldc;
        (add ? FloatVector.fromArray(S, c, r2).add(c20) : c20).intoArray(c, r2);
        (add ? FloatVector.fromArray(S, c, r2 + L).add(c21) : c21).intoArray(c, r2 + L);
        int r3 = cOff + 3 * ldc;
        (add ? FloatVector.fromArray(S, c, r3).add(c30) : c30).intoArray(c, r3);
        (add ? FloatVector.fromArray(S, c, r3 + L).add(c31) : c31).intoArray(c, r3 + L);
        int r4 = cOff + 4 * ldc;
        (add ? FloatVector.fromArray(S, c, r4).add(c40) : c40).intoArray(c, r4);
        (add ? FloatVector.fromArray(S, c, r4 + L).add(c41) : c41).intoArray(c, r4 + L);
        int r5 = cOff + 5 * ldc;
        (add ? FloatVector.fromArray(S, c, r5).add(c50) : c50).intoArray(c, r5);
        (add ? FloatVector.fromArray(S, c, r5 + L).add(c51) : c51).intoArray(c, r5 + L);
    }
}
