package org.cnnj.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The one thread pool the core computes on. Size: system property {@code cnnj.threads}, else all cores.
 * Work is split into items whose results never depend on which thread ran them, so training is
 * deterministic for a seed whatever the thread count.
 *
 * <p>Why not a ForkJoinPool: a training step runs a few hundred parallel loops, most of them 0.1–3 ms long, with
 * a little serial work between them. A ForkJoinPool parks its workers as soon as they run dry, and waking a parked
 * thread on a virtual machine takes 50–100 µs (measured here: an empty two-item loop took 115–140 µs after a 0.2 ms
 * pause, 21 µs back to back); the calling thread sits idle meanwhile. Measured in the reference training step, the
 * process used 77% of its two cores. Here the calling thread works on the items itself, so a loop starts at once
 * whether or not a helper is awake, and helpers keep looking for the next loop for a while (spinning, then
 * yielding the core to any other runnable thread) before they park.
 *
 * <p>Items are claimed one at a time from a shared counter, never assigned up front: a helper that the operating
 * system has descheduled (another process on the core) claims nothing, and the caller runs the items it would have
 * run. So a busy machine slows a loop down by the core it lost, not by a stalled share of the work.
 */
public final class Parallel {
    /** How long an idle helper spins, then yields, before it parks (nanoseconds). */
    private static final long SPIN_NANOS = 50_000, YIELD_NANOS = 2_000_000;

    private static volatile Pool pool = new Pool(defaultThreads());

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

    public static int threads() {
        return pool.threads;
    }

    /** Replaces the pool (e.g. to match the thread count of a reference run). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (threads == pool.threads) return;
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body(i)} for i in [0, count), in parallel when that pays off. The first exception a body throws is
     * rethrown here, once every item already started has finished; the items not yet started are skipped.
     */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 0) return;
        Pool p = pool;
        if (count == 1 || p.threads == 1 || p.region.isHeldByCurrentThread() || !p.region.tryLock()) {
            // Also nested loops (the outer loop already uses every thread) and a second thread's loop while one runs.
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        try {
            p.run(new Loop(++p.loops, count, body));
        } finally {
            p.region.unlock();
        }
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

    /** One parallel loop: items claimed from {@code next}, counted off in {@code done}. */
    private static final class Loop {
        private static final VarHandle NEXT, DONE, FAILURE;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                NEXT = l.findVarHandle(Loop.class, "next", int.class);
                DONE = l.findVarHandle(Loop.class, "done", int.class);
                FAILURE = l.findVarHandle(Loop.class, "failure", Throwable.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long id;
        final int count;
        final IntConsumer body;

        @SuppressWarnings("unused") // through NEXT
        private volatile int next;

        private volatile int done;
        private volatile Throwable failure;

        Loop(long id, int count, IntConsumer body) {
            this.id = id;
            this.count = count;
            this.body = body;
        }

        /** Claims and runs items until none is left. */
        void work() {
            int i;
            while ((i = (int) NEXT.getAndAdd(this, 1)) < count) {
                if (failure == null) {
                    try {
                        body.accept(i);
                    } catch (Throwable t) {
                        FAILURE.compareAndSet(this, null, t);
                    }
                }
                DONE.getAndAdd(this, 1);
            }
        }

        boolean finished() {
            return done >= count;
        }
    }

    /** The caller's thread plus {@code threads - 1} helpers; one loop at a time (the {@code region} lock). */
    private static final class Pool {
        final int threads;
        final ReentrantLock region = new ReentrantLock();
        final Helper[] helpers;
        volatile Loop current;
        volatile boolean stopped;
        long loops; // loops run so far; written under `region`

        Pool(int threads) {
            this.threads = threads;
            helpers = new Helper[threads - 1];
            for (int i = 0; i < helpers.length; i++) {
                helpers[i] = new Helper(this, i + 1);
                helpers[i].start();
            }
        }

        void run(Loop loop) {
            current = loop;
            for (Helper h : helpers) {
                if (h.parked) LockSupport.unpark(h);
            }
            loop.work();
            // The items still running are on helpers, each at most one item long: spin, then let them have the core.
            long t0 = System.nanoTime();
            while (!loop.finished()) {
                if (System.nanoTime() - t0 < SPIN_NANOS) Thread.onSpinWait();
                else Thread.yield();
            }
            current = null;
            Throwable failure = loop.failure;
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure); // a checked exception thrown sneakily
        }

        void shutdown() {
            stopped = true;
            for (Helper h : helpers) LockSupport.unpark(h);
        }
    }

    private static final class Helper extends Thread {
        private final Pool pool;
        volatile boolean parked;

        Helper(Pool pool, int index) {
            super("cnnj-compute-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0; // the id of the last loop worked on (not the loop: that would keep its arrays alive)
            long idleSince = System.nanoTime();
            while (!pool.stopped) {
                Loop loop = pool.current;
                if (loop != null && loop.id != last) {
                    last = loop.id;
                    loop.work();
                    idleSince = System.nanoTime();
                    continue;
                }
                long idle = System.nanoTime() - idleSince;
                if (idle < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (idle < YIELD_NANOS) {
                    Thread.yield();
                } else {
                    parked = true;
                    // Re-read after announcing the park: a caller that published its loop before reading `parked`
                    // is seen here; one that published after reads `parked` and unparks this thread.
                    Loop now = pool.current;
                    if (now == null || now.id == last) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
