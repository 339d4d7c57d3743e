package org.cnnj.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The dot products and sums of {@link MicroKernel} (dotBlock, sum, centredDot) on the Vector API, for both vector kernels. */
final class VectorDot {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int DOT_ROWS = MicroKernel.DOT_ROWS, DOT_COLUMNS = MicroKernel.DOT_COLUMNS;

    private VectorDot() {}

    /**
     * 4×4 dot products over q, 16 accumulators: each step loads 4 vectors of u and 4 of v for 16 FMAs. 4×6 (24
     * accumulators) ran at 136 GFLOP/s on one core, 4×4 at 180–198: with 24, C2 spills. Every accumulator starts from
     * its own zero() and every v vector has its own local: written with shared initial values or a reused temporary,
     * C2 boxed the vectors (measured: 15× slower, with a GC storm).
     */
    static void block(
            int len, float[] u, int uOff, int uStride, float[] v, int[] rows, int rowStart, int vOff, float[] out) {
        FloatVector s00 = FloatVector.zero(S),
                s01 = FloatVector.zero(S),
                s02 = FloatVector.zero(S),
                s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S),
                s11 = FloatVector.zero(S),
                s12 = FloatVector.zero(S),
                s13 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S),
                s21 = FloatVector.zero(S),
                s22 = FloatVector.zero(S),
                s23 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S),
                s31 = FloatVector.zero(S),
                s32 = FloatVector.zero(S),
                s33 = FloatVector.zero(S);
        int u0 = uOff, u1 = uOff + 1 * uStride, u2 = uOff + 2 * uStride, u3 = uOff + 3 * uStride;
        int v0 = rows[rowStart + 0] + vOff,
                v1 = rows[rowStart + 1] + vOff,
                v2 = rows[rowStart + 2] + vOff,
                v3 = rows[rowStart + 3] + vOff;
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
        }
        s00.intoArray(out, 32 + 0 * L);
        s01.intoArray(out, 32 + 1 * L);
        s02.intoArray(out, 32 + 2 * L);
        s03.intoArray(out, 32 + 3 * L);
        s10.intoArray(out, 32 + 4 * L);
        s11.intoArray(out, 32 + 5 * L);
        s12.intoArray(out, 32 + 6 * L);
        s13.intoArray(out, 32 + 7 * L);
        s20.intoArray(out, 32 + 8 * L);
        s21.intoArray(out, 32 + 9 * L);
        s22.intoArray(out, 32 + 10 * L);
        s23.intoArray(out, 32 + 11 * L);
        s30.intoArray(out, 32 + 12 * L);
        s31.intoArray(out, 32 + 13 * L);
        s32.intoArray(out, 32 + 14 * L);
        s33.intoArray(out, 32 + 15 * L);
        for (int b = 0; b < DOT_ROWS * DOT_COLUMNS; b++) out[b] = sumLanes(out, 32 + b * L);
    }

    /** Σ v[from..from+len): 4 vectors of lanes, added together, then the lanes in order, then the tail. */
    static float sum(float[] v, int from, int len) {
        FloatVector s0 = FloatVector.zero(S),
                s1 = FloatVector.zero(S),
                s2 = FloatVector.zero(S),
                s3 = FloatVector.zero(S);
        int i = from, blocked = from + len / (4 * L) * (4 * L), end = from + len;
        for (; i < blocked; i += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, v, i));
            s1 = s1.add(FloatVector.fromArray(S, v, i + L));
            s2 = s2.add(FloatVector.fromArray(S, v, i + 2 * L));
            s3 = s3.add(FloatVector.fromArray(S, v, i + 3 * L));
        }
        float total = inLaneOrder(s0.add(s1).add(s2.add(s3)));
        for (; i < end; i++) total += v[i];
        return total;
    }

    static float centredDot(int len, float[] u, int uOff, float uMean, float[] v, int vOff, float vMean) {
        FloatVector s0 = FloatVector.zero(S),
                s1 = FloatVector.zero(S),
                s2 = FloatVector.zero(S),
                s3 = FloatVector.zero(S);
        FloatVector mu = FloatVector.broadcast(S, uMean), mv = FloatVector.broadcast(S, vMean);
        int q = 0, blocked = len / (4 * L) * (4 * L);
        for (; q < blocked; q += 4 * L) {
            int i = uOff + q, j = vOff + q;
            FloatVector u0 = FloatVector.fromArray(S, u, i).sub(mu),
                    v0 = FloatVector.fromArray(S, v, j).sub(mv);
            FloatVector u1 = FloatVector.fromArray(S, u, i + L).sub(mu),
                    v1 = FloatVector.fromArray(S, v, j + L).sub(mv);
            FloatVector u2 = FloatVector.fromArray(S, u, i + 2 * L).sub(mu);
            FloatVector v2 = FloatVector.fromArray(S, v, j + 2 * L).sub(mv);
            FloatVector u3 = FloatVector.fromArray(S, u, i + 3 * L).sub(mu);
            FloatVector v3 = FloatVector.fromArray(S, v, j + 3 * L).sub(mv);
            s0 = u0.fma(v0, s0);
            s1 = u1.fma(v1, s1);
            s2 = u2.fma(v2, s2);
            s3 = u3.fma(v3, s3);
        }
        float total = inLaneOrder(s0.add(s1).add(s2.add(s3)));
        for (; q < len; q++) total += (u[uOff + q] - uMean) * (v[vOff + q] - vMean);
        return total;
    }

    /**
     * {@link #sum} and {@link #centredDot}(d, 0, x, mean) of the gated d in one pass, with their accumulators and
     * order: the gate is a masked load of dy (zeros elsewhere, as the gate pass wrote +0).
     */
    static void reluGatedSums(
            int len, float[] dy, float[] x, int off, float scale, float shift, float mean, float[] out) {
        FloatVector s0 = FloatVector.zero(S),
                s1 = FloatVector.zero(S),
                s2 = FloatVector.zero(S),
                s3 = FloatVector.zero(S);
        FloatVector t0 = FloatVector.zero(S),
                t1 = FloatVector.zero(S),
                t2 = FloatVector.zero(S),
                t3 = FloatVector.zero(S);
        FloatVector sc = FloatVector.broadcast(S, scale),
                sh = FloatVector.broadcast(S, shift),
                mu = FloatVector.broadcast(S, mean);
        int q = 0, blocked = len / (4 * L) * (4 * L);
        for (; q < blocked; q += 4 * L) {
            int i = off + q;
            FloatVector x0 = FloatVector.fromArray(S, x, i), x1 = FloatVector.fromArray(S, x, i + L);
            FloatVector x2 = FloatVector.fromArray(S, x, i + 2 * L), x3 = FloatVector.fromArray(S, x, i + 3 * L);
            FloatVector d0 = FloatVector.fromArray(S, dy, i, x0.mul(sc).add(sh).compare(VectorOperators.GT, 0f));
            FloatVector d1 =
                    FloatVector.fromArray(S, dy, i + L, x1.mul(sc).add(sh).compare(VectorOperators.GT, 0f));
            FloatVector d2 =
                    FloatVector.fromArray(S, dy, i + 2 * L, x2.mul(sc).add(sh).compare(VectorOperators.GT, 0f));
            FloatVector d3 =
                    FloatVector.fromArray(S, dy, i + 3 * L, x3.mul(sc).add(sh).compare(VectorOperators.GT, 0f));
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            s2 = s2.add(d2);
            s3 = s3.add(d3);
            t0 = d0.fma(x0.sub(mu), t0);
            t1 = d1.fma(x1.sub(mu), t1);
            t2 = d2.fma(x2.sub(mu), t2);
            t3 = d3.fma(x3.sub(mu), t3);
        }
        float sum = inLaneOrder(s0.add(s1).add(s2.add(s3))),
                dot = inLaneOrder(t0.add(t1).add(t2.add(t3)));
        for (; q < len; q++) {
            int i = off + q;
            float d = x[i] * scale + shift > 0f ? dy[i] : 0f;
            sum += d;
            dot += d * (x[i] - mean);
        }
        out[0] = sum;
        out[1] = dot;
    }

    /**
     * The lanes of {@code acc} added in lane order, read one by one: a local float[L] to store them into was not kept
     * off the heap by C2 (48 bytes per call on AVX2, counted by KernelAllocationTest).
     */
    private static float inLaneOrder(FloatVector acc) {
        float total = 0f;
        for (int i = 0; i < L; i++) total += acc.lane(i);
        return total;
    }

    private static float sumLanes(float[] lanes, int off) {
        float total = 0f;
        for (int i = 0; i < L; i++) total += lanes[off + i];
        return total;
    }
}
