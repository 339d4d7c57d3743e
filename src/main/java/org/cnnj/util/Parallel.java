package org.cnnj.util;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool the core computes on. Size: system property {@code cnnj.threads}, else all cores.
 * Work is split into items whose results never depend on which thread ran them, so training is
 * deterministic for a seed whatever the thread count.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    private static int defaultThreads() {
        String p = System.getProperty("cnnj.threads");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            System.err.println("CNN-J: ignoring -Dcnnj.threads=" + p + " (expected a positive integer)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(
                threads,
                p -> {
                    var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                    t.setName("cnnj-compute-" + t.getPoolIndex());
                    t.setDaemon(true);
                    return t;
                },
                null,
                false);
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /** Replaces the pool (e.g. to match the thread count of a reference run). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (threads == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /** Runs {@code body(i)} for i in [0, count), in parallel when that pays off. */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 0) return;
        if (count == 1 || threads() == 1 || insidePool()) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        pool.invoke(new Range(0, count, body));
    }

    /** Runs {@code body(from, to)} over [0, size) in fixed chunks of 64 Ki elements (memory-bound loops). */
    public static void forChunks(int size, RangeBody body) {
        int chunk = 1 << 16, chunks = (size + chunk - 1) / chunk;
        forEach(chunks, c -> body.run(c * chunk, Math.min(size, (c + 1) * chunk)));
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Nested parallel loops run inline: the outer loop already uses every thread. */
    private static boolean insidePool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool;
    }

    private static final class Range extends RecursiveAction {
        private final int from, to;
        private final IntConsumer body;

        Range(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, body), new Range(mid, to, body));
        }
    }
}
