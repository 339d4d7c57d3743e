package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.cnnj.cli.FileCommands;
import org.cnnj.io.Batch;

/**
 * The models open in this JVM, per command and options: one per task slot of the executor, opened at the slot's first
 * image and kept for every later image of the job (opening costs more than a small image's inference). Images then go
 * side by side, one per slot — reading, decoding and writing included, which one session with many threads would leave
 * to one core — each session using its share of the executor's cores. Closed when the JVM ends.
 */
final class ExecutorWorkers {
    private static final Map<String, Pool> POOLS = new HashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorWorkers::closeAll, "cnnj-close-models"));
    }

    /** Set when the JVM ends (its worker was lost or killed): models are being closed under running images. */
    private static volatile boolean closing;

    private ExecutorWorkers() {}

    /** Whether this JVM is ending: an image that fails now failed with its executor, not by itself. */
    static boolean closing() {
        return closing;
    }

    /** Tests: as if the JVM were ending (true) or not. */
    static void closing(boolean ending) {
        closing = ending;
    }

    /** Runs {@code image} into {@code dir} with a free model of the job, opening one when a slot has none yet. */
    static int run(ImageJob job, Path image, Path dir) throws IOException {
        Pool pool = pool(job);
        Batch.Worker w = pool.take();
        try {
            return w.run(image, dir);
        } finally {
            pool.give(w);
        }
    }

    /** Opens the job's first model now (a model that cannot be opened fails once, before the job, not per image). */
    static void open(ImageJob job) throws IOException {
        Pool pool = pool(job);
        pool.give(pool.take());
    }

    private static synchronized Pool pool(ImageJob job) {
        return POOLS.computeIfAbsent(
                job.command() + " " + Arrays.toString(job.args()) + " slots=" + job.slots(), k -> new Pool(job));
    }

    /** Task slots of this executor: the job's, else spark.executor.cores / spark.task.cpus, else this machine's cores. */
    static int slots(ImageJob job) {
        if (job.slots() > 0) return job.slots();
        SparkEnv env = SparkEnv.get();
        int cores = Runtime.getRuntime().availableProcessors();
        if (env == null) return cores;
        return Math.max(
                1, env.conf().getInt("spark.executor.cores", cores) / env.conf().getInt("spark.task.cpus", 1));
    }

    private static final class Pool {
        final ImageJob job;
        final int slots;
        final Deque<Batch.Worker> free = new ArrayDeque<>();
        final List<Batch.Worker> all = new ArrayList<>();

        Pool(ImageJob job) {
            this.job = job;
            this.slots = slots(job);
        }

        Batch.Worker take() throws IOException {
            synchronized (this) {
                while (free.isEmpty() && all.size() >= slots) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for a model", e);
                    }
                }
                if (!free.isEmpty()) return free.pop();
                all.add(null); // this slot's model is being opened
            }
            try {
                FileCommands.Parsed p = FileCommands.parse(job.command(), job.args());
                // One thread per model unless the command gives --threads: the slots share the executor's cores.
                Batch.Worker w = p.opener().open(1, line -> {
                    if (all.size() == 1)
                        System.err.println("executor " + ImageJob.executor() + ": " + line + " ×" + slots);
                });
                synchronized (this) {
                    all.set(all.indexOf(null), w);
                }
                return w;
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    all.remove(null);
                    notifyAll();
                }
                throw e;
            }
        }

        synchronized void give(Batch.Worker w) {
            free.push(w);
            notifyAll();
        }
    }

    static synchronized void closeAll() {
        closing = true;
        for (Pool p : POOLS.values())
            for (Batch.Worker w : p.all) {
                try {
                    if (w != null) w.close();
                } catch (IOException | RuntimeException e) {
                    // the JVM is ending
                }
            }
        POOLS.clear();
    }
}
