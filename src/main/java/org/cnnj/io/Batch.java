package org.cnnj.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A folder of images processed one by one: a file that cannot be read or processed is reported with
 * its reason and skipped, the rest go on, and a summary ("40 done, 2 failed: …") ends the run, so one
 * bad file neither aborts a batch nor hides among successes.
 */
public final class Batch {
    /** Processes one file into its output folder; returns what to count for it (objects found). */
    @FunctionalInterface
    public interface Job {
        int run(Path file, Path dir) throws IOException;
    }

    /**
     * A job that holds something opened once for many files (a model's session): the single-machine batch opens one,
     * and so does each Spark executor, for all the files it is given.
     */
    public interface Worker extends Job, Closeable {
        /** {@code job} over something opened, and {@code close} to let it go. */
        static Worker of(Job job, Runnable close) {
            return new Worker() {
                @Override
                public int run(Path file, Path dir) throws IOException {
                    return job.run(file, dir);
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /** How a batch went: files done, what they counted together, and "file: reason" for each failure. */
    public record Summary(int done, long counted, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }

        public String describe() {
            return done + " done"
                    + (failures.isEmpty() ? "" : ", " + failures.size() + " failed: " + String.join("; ", failures));
        }
    }

    /** Thrown after a whole batch ran when some of its files failed; the message is the summary. */
    public static final class Failed extends IOException {
        public Failed(Summary s) {
            super(s.describe());
        }
    }

    private Batch() {}

    /**
     * Runs {@code job} on every file, into {@code output} (one file) or {@code output/<its name>} (a folder),
     * with one line per file on standard output ("x.tif: 12 objects in 0.31 s -> dir"). A single file fails as it
     * is, with its own exception; in a folder each failure goes to standard error and into the summary, which
     * ends the run ("segment: 40 done, 2 failed: …"), and then {@link Failed} is thrown when any failed.
     */
    public static Summary run(String what, List<Path> files, boolean folder, Path output, Job job) throws IOException {
        Consumer<String> out = System.out::println, err = System.err::println;
        List<String> failures = new ArrayList<>();
        long counted = 0;
        int done = 0;
        for (Path file : files) {
            if (!folder) {
                counted += timed(file, output, job, out);
                done++;
                continue;
            }
            try {
                counted += timed(file, output.resolve(ImageFiles.baseName(file)), job, out);
                done++;
            } catch (IOException | RuntimeException e) { // out of memory and other errors still end the batch
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                err.accept(file.getFileName() + ": failed: " + reason);
                failures.add(file.getFileName() + " (" + reason + ")");
            }
        }
        Summary s = new Summary(done, counted, failures);
        if (folder) out.accept(what + ": " + s.describe());
        if (!s.ok()) throw new Failed(s);
        return s;
    }

    private static int timed(Path file, Path dir, Job job, Consumer<String> out) throws IOException {
        long t0 = System.nanoTime();
        int found = job.run(file, dir);
        out.accept(String.format(
                Locale.ROOT,
                "%s: %d objects in %.2f s -> %s",
                file.getFileName(),
                found,
                (System.nanoTime() - t0) / 1e9,
                dir));
        return found;
    }
}
