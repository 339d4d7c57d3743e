package org.cnnj.kernel;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.ops.GoldenOpsTest;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blocked GEMM (both micro-kernels, all transposes, edge sizes, sub-matrices) against a naive triple loop. */
class GemmTest {
    private final MicroKernel original = Kernels.active();

    @AfterEach
    void restore() {
        Kernels.use(original);
    }

    /** The plain kernel, the active vector one, and the 6×2 one where the active is the 512-bit 8×2. */
    static List<MicroKernel> kernels() {
        List<MicroKernel> ks = new ArrayList<>(List.of(Kernels.java()));
        MicroKernel vector = Kernels.vectorOrNull();
        if (vector != null) {
            ks.add(vector);
            if (!(vector instanceof VectorMicroKernel)) ks.add(new VectorMicroKernel());
        }
        return ks;
    }

    @Test
    void indirectAndDotKernelsMatchNaiveSums() {
        Rng rng = new Rng(11);
        for (MicroKernel k : kernels()) {
            int kc = 37, mr = k.mr(), nr = k.nr();
            float[] a = random(rng, kc * mr), x = random(rng, 4000);
            int[] rows = new int[kc];
            for (int p = 0; p < kc; p++) rows[p] = rng.nextInt(3000);
            float[] c = new float[mr * nr], expected = new float[mr * nr];
            k.computeIndirectB(kc, a, 0, x, rows, 0, 5, c, 0, nr, false);
            for (int i = 0; i < mr; i++) {
                for (int j = 0; j < nr; j++) {
                    double sum = 0;
                    for (int p = 0; p < kc; p++) sum += (double) a[p * mr + i] * x[rows[p] + 5 + j];
                    expected[i * nr + j] = (float) sum;
                }
            }
            assertClose(k.name() + " computeIndirectB", expected, c, 1e-4, 1e-4);

            float[] b = random(rng, kc * nr), cA = new float[mr * nr], expectedA = new float[mr * nr];
            for (int i = 0; i < mr * nr; i++) cA[i] = i % 3; // accumulated onto
            k.computeIndirectA(kc, x, rows, 2, 5, b, 0, cA, 0, nr, true);
            for (int i = 0; i < mr; i++) {
                for (int j = 0; j < nr; j++) {
                    double sum = (i * nr + j) % 3;
                    for (int p = 0; p < kc; p++) sum += (double) x[rows[2 + i] + 5 + p] * b[p * nr + j];
                    expectedA[i * nr + j] = (float) sum;
                }
            }
            assertClose(k.name() + " computeIndirectA", expectedA, cA, 1e-4, 1e-4);

            int len = 96;
            float[] sums = new float[MicroKernel.DOT_SCRATCH];
            k.dotBlock(len, x, 7, 101, x, rows, 3, 9, sums);
            for (int i = 0; i < MicroKernel.DOT_ROWS; i++) {
                for (int j = 0; j < MicroKernel.DOT_COLUMNS; j++) {
                    double sum = 0;
                    for (int q = 0; q < len; q++) sum += (double) x[7 + i * 101 + q] * x[rows[3 + j] + 9 + q];
                    assertClose(
                            k.name() + " dotBlock " + i + "," + j,
                            new float[] {(float) sum},
                            new float[] {sums[i * MicroKernel.DOT_COLUMNS + j]},
                            1e-4,
                            1e-4);
                }
            }
            double dot = 0;
            for (int q = 0; q < len; q++) dot += (double) x[q + 40] * x[q + 2000];
            assertClose(
                    k.name() + " dot",
                    new float[] {(float) dot},
                    new float[] {k.centredDot(len, x, 40, 0f, x, 2000, 0f)},
                    1e-4,
                    1e-4);
        }
    }

    /** Batch norm's backward through its ReLU: the sums of dy gated by x·scale + shift > 0, without the gated copy. */
    @Test
    void reluGatedSumsEqualTheSumsOfTheGatedGradientBitForBit() {
        Rng rng = new Rng(17);
        float[] dy = random(rng, 3000), x = random(rng, 3000);
        // Values the gate must treat as the forward's max(·, 0) did: exactly zero before the ReLU (both signs), NaN.
        float scale = 1.5f, shift = -0.25f;
        x[10] = shift / -scale;
        x[11] = Float.NaN;
        dy[12] = -0f;
        dy[13] = Float.NaN;
        for (MicroKernel k : kernels()) {
            for (int[] c : new int[][] {{0, 0}, {3, 1}, {5, 63}, {0, 64}, {7, 65}, {9, 1000}, {1, 2990}}) {
                int from = c[0], len = c[1];
                float[] gated = new float[dy.length];
                int passed = 0;
                for (int i = from; i < from + len; i++) {
                    boolean open = x[i] * scale + shift > 0f;
                    gated[i] = open ? dy[i] : 0f;
                    if (open) passed++;
                }
                float[] sums = new float[2];
                k.reluGatedSums(len, dy, x, from, scale, shift, 0.3f, sums);
                String at = k.name() + " from " + from + " len " + len;
                assertEquals(k.sum(gated, from, len), sums[0], 0f, at + " sum");
                assertEquals(k.centredDot(len, gated, from, 0f, x, from, 0.3f), sums[1], 0f, at + " dot");
                if (len > 100) assertTrue(passed > len / 4 && passed < 3 * len / 4, at + ": the gate must cut some");
            }
        }
    }

    @Test
    void channelSumsMatchNaiveSumsForAnyLengthAndOffset() {
        Rng rng = new Rng(13);
        float[] u = random(rng, 3000), v = random(rng, 3000);
        for (int i = 0; i < v.length; i++) v[i] += 100f; // a large mean: the shift must be applied before squaring
        for (MicroKernel k : kernels()) {
            for (int[] c : new int[][] {{0, 0}, {3, 1}, {5, 63}, {0, 64}, {7, 65}, {11, 1000}, {1, 2990}}) {
                int from = c[0], len = c[1];
                double sum = 0, sq = 0, dot = 0;
                for (int i = from; i < from + len; i++) {
                    sum += v[i];
                    sq += (v[i] - 100.0) * (v[i] - 100.0);
                    dot += u[i] * (v[i] - 100.0);
                }
                String at = k.name() + " from " + from + " len " + len;
                assertClose(at + " sum", new float[] {(float) sum}, new float[] {k.sum(v, from, len)}, 1e-3, 1e-5);
                assertClose(
                        at + " squares",
                        new float[] {(float) sq},
                        new float[] {k.centredDot(len, v, from, 100f, v, from, 100f)},
                        1e-4,
                        1e-4);
                assertClose(
                        at + " dot",
                        new float[] {(float) dot},
                        new float[] {k.centredDot(len, u, from, 0f, v, from, 100f)},
                        1e-4,
                        1e-4);
            }
        }
    }

    @Test
    void everyKernelMatchesPyTorchOnConvolutions() {
        GoldenOpsTest golden = new GoldenOpsTest();
        for (MicroKernel k : kernels()) {
            Kernels.use(k);
            for (String name : new String[] {"conv_basic", "conv_dilated", "conv_wide", "conv_large_grid", "conv_rows"})
                golden.conv2d(name);
            golden.convTranspose2d("convt_up2");
        }
    }

    @Test
    void vectorKernelIsAvailableInTests() {
        // Surefire runs with --add-modules jdk.incubator.vector, so the fast path must load and pass its self-test.
        assertNotNull(Kernels.vectorOrNull(), Kernels.describe());
    }

    @Test
    void matchesNaiveProductForAllShapesAndTransposes() {
        Rng rng = new Rng(3);
        // 75 × 500: A large enough for packA to split its strips over the pool (an edge strip of 3 rows included).
        int[][] sizes = {
            {1, 1, 1}, {5, 7, 3}, {6, 16, 256}, {13, 33, 300}, {97, 50, 17}, {100, 2100, 9}, {7, 3, 600}, {75, 40, 500}
        };
        for (MicroKernel k : kernels()) {
            Kernels.use(k);
            for (int[] s : sizes) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    checkOne(rng, s[0], s[1], s[2], ta, tb, false, k.name());
                    checkOne(rng, s[0], s[1], s[2], ta, tb, true, k.name());
                }
            }
        }
    }

    private static void checkOne(
            Rng rng, int m, int n, int k, boolean ta, boolean tb, boolean parallel, String kernel) {
        // Embed the operands in larger arrays with offsets and leading dimensions wider than needed.
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5, aOff = 4, bOff = 1, cOff = 2;
        float[] a = random(rng, aOff + (ta ? k : m) * lda),
                b = random(rng, bOff + (tb ? n : k) * ldb),
                c = random(rng, cOff + m * ldc);
        float[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = expected[cOff + i * ldc + j];
                for (int p = 0; p < k; p++) {
                    sum += (double) (ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p])
                            * (tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
                }
                expected[cOff + i * ldc + j] = (float) sum;
            }
        }
        if (parallel) Gemm.multiplyParallel(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, true);
        else Gemm.multiply(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, true);
        assertClose(
                kernel + " m" + m + " n" + n + " k" + k + " ta" + ta + " tb" + tb + " par" + parallel,
                expected,
                c,
                1e-4 * Math.sqrt(k),
                1e-4);
    }

    @Test
    void indirectAMatchesNaiveProductWithEdgesAndDepthBlocks() {
        Rng rng = new Rng(5);
        for (MicroKernel k : kernels()) {
            Kernels.use(k);
            for (int[] s : new int[][] {{8, 32, 16}, {13, 33, 300}, {1, 5, 7}, {27, 64, 600}}) {
                int m = s[0], n = s[1], depth = s[2], xOff = 3, ldc = n + 2;
                float[] x = random(rng, 5000);
                int rowStart = 2;
                int[] rows = new int[rowStart + Gemm.roundUp(m, k.mr())];
                for (int i = 0; i < m; i++) rows[rowStart + i] = rng.nextInt(4000);
                float[] b = random(rng, depth * n), pb = new float[Gemm.packedBSize(depth, n)];
                Gemm.packB(false, depth, n, b, 0, n, pb);
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] c = random(rng, m * ldc), expected = c.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = accumulate ? expected[i * ldc + j] : 0;
                            for (int p = 0; p < depth; p++)
                                sum += (double) x[rows[rowStart + i] + xOff + p] * b[p * n + j];
                            expected[i * ldc + j] = (float) sum;
                        }
                    }
                    Gemm.multiplyIndirectA(m, n, depth, x, xOff, rows, rowStart, pb, 0, c, 0, ldc, accumulate);
                    assertClose(
                            k.name() + " indirect A " + m + "x" + n + "x" + depth,
                            expected,
                            c,
                            1e-4 * Math.sqrt(depth),
                            1e-4);
                }
            }
        }
    }

    @Test
    void overwritesWhenNotAccumulating() {
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = {100, 100, 100, 100};
        Gemm.multiply(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
        assertClose("2x2", new float[] {19, 22, 43, 50}, c, 0, 0);
    }

    private static float[] random(Rng rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.uniform(-1, 1);
        return v;
    }
}
