package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import org.cnnj.cli.FileCommands;
import org.cnnj.io.Batch;

/**
 * Refuses, before a cluster job starts, a model that will not fit an executor: the driver opens the model once and
 * measures what that took (the ONNX Runtime session lives outside the Java heap, so it must fit the executor's
 * {@code spark.executor.memoryOverhead}), adds an allowance for one tile's activations, and compares with what the
 * executors are given. Otherwise every task would die of its container's memory limit, one after another, with a
 * message about the container rather than the model.
 */
final class ExecutorMemory {
    /** Inference buffers of one tile beyond the opened session (measured: under 200 MB for the shipped models at 512 px). */
    static final long TILE_ALLOWANCE = 256L << 20;

    /** The smallest executor heap that segments a 2048² image: its planes, maps and labels (seg.MemoryPlan's estimate). */
    static final long MIN_HEAP = 512L << 20;

    private ExecutorMemory() {}

    static void check(FileCommands.Parsed p, SparkConf conf, int slots) throws IOException {
        long heap = bytes(conf.get("spark.executor.memory", "1g"));
        long overhead = conf.contains("spark.executor.memoryOverhead")
                ? bytes(conf.get("spark.executor.memoryOverhead"))
                : Math.max(384L << 20, (long) (heap * conf.getDouble("spark.executor.memoryOverheadFactor", 0.10)));
        long before = residentBytes();
        long session;
        try (Batch.Worker w = p.opener().open(1, line -> {})) {
            session = Math.max(0, residentBytes() - before);
        }
        // Each of an executor's task slots opens its own (0: unknown here; at least one).
        long sessions = session * Math.max(1, slots), needed = sessions + TILE_ALLOWANCE;
        if (!conf.contains("spark.executor.memoryOverhead") && needed > overhead) {
            // Not chosen by the user: ask for what the model needs (YARN and Kubernetes size executors' containers
            // by it) rather than refuse a default; a value the user gave is checked as given.
            String ask = suggested(needed);
            conf.set("spark.executor.memoryOverhead", ask);
            System.out.println("cnnj spark: executors ask for " + ask + " outside the Java heap"
                    + " (spark.executor.memoryOverhead): the model needs about " + mb(needed));
            overhead = bytes(ask);
        }
        check(p.model().toString(), sessions, heap, overhead);
    }

    /** A quarter more than {@code needed}, in MB as Spark writes sizes. */
    private static String suggested(long needed) {
        return ((needed >> 20) * 5 / 4 + 1) + "m";
    }

    /** The check itself, with what was measured and what the executors have. */
    static void check(String model, long session, long heap, long overhead) throws IOException {
        long native_ = session + TILE_ALLOWANCE;
        if (native_ > overhead)
            throw new IOException(String.format(
                    Locale.ROOT,
                    "the model %s needs about %s per executor outside the Java heap (opening it took %s here, plus %s for"
                            + " a tile's activations), but executors have %s (spark.executor.memoryOverhead); give"
                            + " --conf spark.executor.memoryOverhead=%s",
                    model,
                    mb(native_),
                    mb(session),
                    mb(TILE_ALLOWANCE),
                    mb(overhead),
                    suggested(native_)));
        if (heap < MIN_HEAP)
            throw new IOException(String.format(
                    Locale.ROOT,
                    "executors have a Java heap of %s (spark.executor.memory); images need at least %s: give --conf"
                            + " spark.executor.memory=2g",
                    mb(heap),
                    mb(MIN_HEAP)));
    }

    private static long bytes(String size) {
        return JavaUtils.byteStringAsBytes(size.trim().toLowerCase(Locale.ROOT).matches("[0-9]+") ? size + "m" : size);
    }

    /** This process's resident memory (Linux; 0 elsewhere, where the check then counts only the allowance). */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return 0;
    }

    private static String mb(long b) {
        return (b >> 20) + " MB";
    }
}
