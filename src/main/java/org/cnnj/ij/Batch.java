package org.cnnj.ij;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A folder of images processed one by one: a file that cannot be read or processed is reported with
 * its reason and skipped, the rest go on, and a summary ("40 done, 2 failed: …") ends the run, so one
 * bad file neither aborts a batch nor hides among successes.
 */
public final class Batch {
    /** Processes one file; returns what to count for it (e.g. objects found). */
    @FunctionalInterface
    public interface Job {
        int run(Path file) throws IOException;
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
     * Runs {@code job} on every file. A single file (not a folder) fails as it is, with its own exception;
     * in a folder each failure goes to {@code err} and into the summary.
     */
    public static Summary run(List<Path> files, boolean folder, Job job, Consumer<String> err) throws IOException {
        List<String> failures = new ArrayList<>();
        long counted = 0;
        int done = 0;
        for (Path file : files) {
            if (!folder) {
                counted += job.run(file);
                done++;
                continue;
            }
            try {
                counted += job.run(file);
                done++;
            } catch (IOException | RuntimeException e) { // out of memory and other errors still end the batch
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                err.accept(file.getFileName() + ": failed: " + reason);
                failures.add(file.getFileName() + " (" + reason + ")");
            }
        }
        return new Summary(done, counted, failures);
    }
}
