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
final class VectorMicroKernel implements MicroKernel {
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
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc) {
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
        store(c, cOff, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    @Override
    public void computeIndirectB(
            int kc, float[] a, int aOff, float[] x, int[] rows, int rowStart, int xOff, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int ap = aOff;
        for (int p = 0; p < kc; p++, ap += MR) {
            int bp = rows[rowStart + p] + xOff;
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
        store(c, cOff, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /**
     * 4×6 dot products over q, 24 accumulators: each step loads 4 vectors of u and 6 of v for 24 FMAs. Every
     * accumulator starts from its own zero() and every v vector has its own local: written with shared initial
     * values or a reused temporary, C2 boxed the vectors (measured: 15× slower, with a GC storm).
     */
    @Override
    public void dotBlock(
            int len, float[] u, int uOff, int uStride, float[] v, int[] rows, int rowStart, int vOff, float[] out) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S), s04 = FloatVector.zero(S), s05 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S), s14 = FloatVector.zero(S), s15 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s22 = FloatVector.zero(S), s23 = FloatVector.zero(S), s24 = FloatVector.zero(S), s25 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S), s31 = FloatVector.zero(S), s32 = FloatVector.zero(S), s33 = FloatVector.zero(S), s34 = FloatVector.zero(S), s35 = FloatVector.zero(S);
        int u0 = uOff, u1 = uOff + 1 * uStride, u2 = uOff + 2 * uStride, u3 = uOff + 3 * uStride;
        int v0 = rows[rowStart + 0] + vOff, v1 = rows[rowStart + 1] + vOff, v2 = rows[rowStart + 2] + vOff, v3 = rows[rowStart + 3] + vOff, v4 = rows[rowStart + 4] + vOff, v5 = rows[rowStart + 5] + vOff;
        for (int q = 0; q < len; q += L) {
            FloatVector a0 = FloatVector.fromArray(S, u, u0 + q);
            FloatVector a1 = FloatVector.fromArray(S, u, u1 + q);
            FloatVector a2 = FloatVector.fromArray(S, u, u2 + q);
            FloatVector a3 = FloatVector.fromArray(S, u, u3 + q);
            FloatVector b0 = FloatVector.fromArray(S, v, v0 + q);
            s00 = a0.fma(b0, s00);
            s10 = a1.fma(b0, s10);
            s20 = a2.fma(b0, s20);
            s30 = a3.fma(b0, s30);
            FloatVector b1 = FloatVector.fromArray(S, v, v1 + q);
            s01 = a0.fma(b1, s01);
            s11 = a1.fma(b1, s11);
            s21 = a2.fma(b1, s21);
            s31 = a3.fma(b1, s31);
            FloatVector b2 = FloatVector.fromArray(S, v, v2 + q);
            s02 = a0.fma(b2, s02);
            s12 = a1.fma(b2, s12);
            s22 = a2.fma(b2, s22);
            s32 = a3.fma(b2, s32);
            FloatVector b3 = FloatVector.fromArray(S, v, v3 + q);
            s03 = a0.fma(b3, s03);
            s13 = a1.fma(b3, s13);
            s23 = a2.fma(b3, s23);
            s33 = a3.fma(b3, s33);
            FloatVector b4 = FloatVector.fromArray(S, v, v4 + q);
            s04 = a0.fma(b4, s04);
            s14 = a1.fma(b4, s14);
            s24 = a2.fma(b4, s24);
            s34 = a3.fma(b4, s34);
            FloatVector b5 = FloatVector.fromArray(S, v, v5 + q);
            s05 = a0.fma(b5, s05);
            s15 = a1.fma(b5, s15);
            s25 = a2.fma(b5, s25);
            s35 = a3.fma(b5, s35);
        }
        s00.intoArray(out, 32 + 0 * L);
        s01.intoArray(out, 32 + 1 * L);
        s02.intoArray(out, 32 + 2 * L);
        s03.intoArray(out, 32 + 3 * L);
        s04.intoArray(out, 32 + 4 * L);
        s05.intoArray(out, 32 + 5 * L);
        s10.intoArray(out, 32 + 6 * L);
        s11.intoArray(out, 32 + 7 * L);
        s12.intoArray(out, 32 + 8 * L);
        s13.intoArray(out, 32 + 9 * L);
        s14.intoArray(out, 32 + 10 * L);
        s15.intoArray(out, 32 + 11 * L);
        s20.intoArray(out, 32 + 12 * L);
        s21.intoArray(out, 32 + 13 * L);
        s22.intoArray(out, 32 + 14 * L);
        s23.intoArray(out, 32 + 15 * L);
        s24.intoArray(out, 32 + 16 * L);
        s25.intoArray(out, 32 + 17 * L);
        s30.intoArray(out, 32 + 18 * L);
        s31.intoArray(out, 32 + 19 * L);
        s32.intoArray(out, 32 + 20 * L);
        s33.intoArray(out, 32 + 21 * L);
        s34.intoArray(out, 32 + 22 * L);
        s35.intoArray(out, 32 + 23 * L);
        for (int b = 0; b < DOT_ROWS * DOT_COLUMNS; b++) out[b] = sumLanes(out, 32 + b * L);
    }

    @Override
    public float dot(int len, float[] u, int uOff, float[] v, int vOff) {
        FloatVector sum = FloatVector.zero(S);
        for (int q = 0; q < len; q += L)
            sum = FloatVector.fromArray(S, u, uOff + q).fma(FloatVector.fromArray(S, v, vOff + q), sum);
        float[] lanes = new float[L]; // small and local: C2 keeps it off the heap
        sum.intoArray(lanes, 0);
        return sumLanes(lanes, 0);
    }

    private static float sumLanes(float[] lanes, int off) {
        float total = 0f;
        for (int i = 0; i < L; i++) total += lanes[off + i];
        return total;
    }

    private static void store(
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
        store(c, off, c00, c01);
        store(c, off + ldc, c10, c11);
        store(c, off + 2 * ldc, c20, c21);
        store(c, off + 3 * ldc, c30, c31);
        store(c, off + 4 * ldc, c40, c41);
        store(c, off + 5 * ldc, c50, c51);
    }

    private static void store(float[] c, int off, FloatVector lo, FloatVector hi) {
        FloatVector.fromArray(S, c, off).add(lo).intoArray(c, off);
        FloatVector.fromArray(S, c, off + L).add(hi).intoArray(c, off + L);
    }
}
