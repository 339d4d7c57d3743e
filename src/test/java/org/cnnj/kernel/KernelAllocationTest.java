package org.cnnj.kernel;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels run in registers once C2 has compiled them: no bytes allocated per call. When C2 cannot keep
 * the vectors in registers it boxes them, and every vector operation allocates — the kernel then still computes the
 * right numbers (so the correctness tests pass) but 10–15× slower with a GC storm. That happened to the 6×2 kernel on
 * AVX2 machines (4 GFLOP/s on one core instead of 56), unnoticed because the development machines had AVX-512 and used
 * the 8×2 one. Counted in bytes (the thread's allocation counter), not timed. A few bytes per call that do not grow
 * with the work are harmless (reluGatedSums allocates 64 on AVX2, once per call); boxing allocates per vector
 * operation: ≥ 48 bytes for each of the loop's operations, kilobytes per call at these lengths.
 */
class KernelAllocationTest {
    private static final int CALLS = 2_000, MAX_ROUNDS = 150, KC = 64, HARMLESS_BYTES = 128;

    @Test
    void everyVectorKernelMethodRunsWithoutAllocatingOnceCompiled() {
        MicroKernel active = Kernels.vectorOrNull();
        assertNotNull(active, Kernels.describe());
        checkAll(new VectorMicroKernel());
        if (!(active instanceof VectorMicroKernel)) checkAll(active);
    }

    private static void checkAll(MicroKernel k) {
        int mr = k.mr(), nr = k.nr(), len = 1024;
        float[] a = filled(KC * mr + 64), b = filled(KC * nr + 4 * nr + 64), c = new float[mr * nr + 64];
        int[] rows = new int[Math.max(KC, 24)];
        for (int i = 0; i < rows.length; i++) rows[i] = (i * 3) % 17;
        float[] u = filled(4 * len + 64), v = filled(4 * len + 64), out = new float[MicroKernel.DOT_SCRATCH];
        Map<String, Runnable> methods = new LinkedHashMap<>();
        methods.put("compute", () -> k.compute(KC, a, 0, b, 0, c, 0, nr, true));
        methods.put("computeIndirectA", () -> k.computeIndirectA(KC, b, rows, 0, 0, b, 0, c, 0, nr, true));
        methods.put("computeIndirectB", () -> k.computeIndirectB(KC, a, 0, b, rows, 0, 0, c, 0, nr, true));
        methods.put("dotBlock", () -> k.dotBlock(len, u, 0, len, v, rows, 0, 0, out));
        methods.put("sum", () -> out[0] += k.sum(u, 3, len));
        methods.put("centredDot", () -> out[1] += k.centredDot(len, u, 1, 0.5f, v, 2, 0.25f));
        methods.put("reluGatedSums", () -> k.reluGatedSums(len, u, v, 1, 1.5f, -0.2f, 0.1f, out));
        methods.forEach((name, call) -> {
            long perCall = bytesPerCallOnceCompiled(call);
            assertTrue(
                    perCall <= HARMLESS_BYTES,
                    k.name() + "." + name + " still allocates " + perCall + " bytes per call after "
                            + (MAX_ROUNDS * CALLS) + " calls: C2 boxes its vectors (write every accumulator and"
                            + " broadcast as its own local, stores inline; see Vector512MicroKernel)");
        });
    }

    /** Rounds of calls until one allocates nothing (C2 has compiled the method), else the last round's bytes per call. */
    private static long bytesPerCallOnceCompiled(Runnable call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId(), perCall = -1;
        for (int round = 0; round < MAX_ROUNDS && perCall != 0; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < CALLS; i++) call.run();
            perCall = (threads.getThreadAllocatedBytes(id) - before) / CALLS;
        }
        return perCall;
    }

    private static float[] filled(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 11 - 5) * 0.1f;
        return v;
    }
}
