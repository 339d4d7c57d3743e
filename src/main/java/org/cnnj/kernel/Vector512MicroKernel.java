package org.cnnj.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8×(2 vectors) kernel for 512-bit vectors (AVX-512, whose 32 registers hold its 16 accumulators, 2 B vectors and a
 * broadcast). Against the 6×2 kernel: 16 FMAs per 10 loads instead of 12 per 8, and MR = 8 divides the channel
 * counts of typical networks (16, 32, 64, ...), where 6 rows left a partial strip that computed 11% padding on
 * 16- and 32-channel layers. The constructor refuses narrower vectors (16 accumulators would spill on AVX2).
 *
 * <p>Written out in full, every accumulator its own local started from its own zero(): written with shared
 * initial values ({@code c01 = c00}) and a reused broadcast temporary, this shape made C2 box its vectors
 * (measured: 15× slower, with a GC storm), as arrays of vectors or helpers taking vectors do.
 */
final class Vector512MicroKernel extends VectorKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 8, NR = 2 * L;

    Vector512MicroKernel() {
        if (S.vectorBitSize() < 512) throw new UnsupportedOperationException(S.vectorBitSize() + "-bit vectors");
    }

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
        return "vector-" + S.vectorBitSize() + "-8x2";
    }

    @Override
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
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
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
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
        int r6 = cOff + 6 * ldc;
        (add ? FloatVector.fromArray(S, c, r6).add(c60) : c60).intoArray(c, r6);
        (add ? FloatVector.fromArray(S, c, r6 + L).add(c61) : c61).intoArray(c, r6 + L);
        int r7 = cOff + 7 * ldc;
        (add ? FloatVector.fromArray(S, c, r7).add(c70) : c70).intoArray(c, r7);
        (add ? FloatVector.fromArray(S, c, r7 + L).add(c71) : c71).intoArray(c, r7 + L);
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
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int x0 = rows[row0] + xOff, x1 = rows[row0 + 1] + xOff, x2 = rows[row0 + 2] + xOff, x3 = rows[row0 + 3] + xOff;
        int x4 = rows[row0 + 4] + xOff,
                x5 = rows[row0 + 5] + xOff,
                x6 = rows[row0 + 6] + xOff,
                x7 = rows[row0 + 7] + xOff;
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
            FloatVector a6 = FloatVector.broadcast(S, x[x6 + p]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, x[x7 + p]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
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
        int r6 = cOff + 6 * ldc;
        (add ? FloatVector.fromArray(S, c, r6).add(c60) : c60).intoArray(c, r6);
        (add ? FloatVector.fromArray(S, c, r6 + L).add(c61) : c61).intoArray(c, r6 + L);
        int r7 = cOff + 7 * ldc;
        (add ? FloatVector.fromArray(S, c, r7).add(c70) : c70).intoArray(c, r7);
        (add ? FloatVector.fromArray(S, c, r7 + L).add(c71) : c71).intoArray(c, r7 + L);
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
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
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
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
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
        int r6 = cOff + 6 * ldc;
        (add ? FloatVector.fromArray(S, c, r6).add(c60) : c60).intoArray(c, r6);
        (add ? FloatVector.fromArray(S, c, r6 + L).add(c61) : c61).intoArray(c, r6 + L);
        int r7 = cOff + 7 * ldc;
        (add ? FloatVector.fromArray(S, c, r7).add(c70) : c70).intoArray(c, r7);
        (add ? FloatVector.fromArray(S, c, r7 + L).add(c71) : c71).intoArray(c, r7 + L);
    }
}
