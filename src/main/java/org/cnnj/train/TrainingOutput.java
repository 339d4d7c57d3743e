package org.cnnj.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.cnnj.io.AtomicFiles;

/**
 * What a training run owns beside M.onnx: the checkpoint folder M-checkpoints/ (held under a file lock
 * while the run lasts, so a second training into the same output is refused instead of both
 * overwriting each other) and the log M-training.csv, rewritten after every epoch and, on resume,
 * continued from the rows already there.
 */
public final class TrainingOutput implements AutoCloseable {
    private final Path checkpoints, csv;
    private final String header;
    private final FileChannel channel;
    private final FileLock lock;
    private final TreeMap<Integer, String> rows = new TreeMap<>();

    private TrainingOutput(Path checkpoints, Path csv, String header, FileChannel channel, FileLock lock) {
        this.checkpoints = checkpoints;
        this.csv = csv;
        this.header = header;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks the output of {@code model} (M.onnx) and refuses a leftover last.ckpt unless resuming. */
    public static TrainingOutput open(Path model, boolean resume, String header, String command) throws IOException {
        Path output = model.toAbsolutePath();
        String stem = output.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path checkpoints = output.resolveSibling(stem + "-checkpoints");
        AtomicFiles.createFolder(checkpoints);
        Path lockFile = checkpoints.resolve(LOCK);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another training in this JVM (e.g. a second command in the same Fiji)
        }
        if (lock == null) {
            channel.close();
            throw new IllegalArgumentException(command + ": another training is writing " + output.getFileName() + " ("
                    + lockFile + " is locked); wait for it to finish or choose another output");
        }
        TrainingOutput t =
                new TrainingOutput(checkpoints, output.resolveSibling(stem + "-training.csv"), header, channel, lock);
        try {
            // This run holds the lock: half-written files of a killed earlier run are garbage now.
            AtomicFiles.sweepTemporaries(List.of(
                    output,
                    output.resolveSibling(stem + ".json"),
                    output.resolveSibling(stem + ".head.onnx"),
                    output.resolveSibling(stem + ".mask.onnx"),
                    output.resolveSibling(stem + ".dense.onnx"),
                    t.csv,
                    checkpoints.resolve("last.ckpt"),
                    checkpoints.resolve("best.ckpt"),
                    checkpoints.resolve(Checkpoints.AVERAGE)));
            if (Files.exists(checkpoints.resolve("last.ckpt")) && !resume) {
                throw new IllegalArgumentException(command + ": " + checkpoints.resolve("last.ckpt")
                        + " exists; resume that training (--resume, or"
                        + " the Resume option in Fiji), or delete the folder");
            }
            if (resume && Files.exists(t.csv)) t.readRows();
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    public Path checkpoints() {
        return checkpoints;
    }

    /** Records (or replaces) an epoch's row and rewrites the CSV, so a crashed or cancelled run still leaves its log. */
    void row(int epoch, String line, Consumer<String> warn) {
        rows.put(epoch, line);
        rows.tailMap(epoch, false)
                .clear(); // rows of a run that went further before being resumed from an earlier checkpoint
        StringBuilder b = new StringBuilder(header).append('\n');
        for (String r : rows.values()) b.append(r).append('\n');
        try {
            AtomicFiles.write(csv, out -> out.write(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ex) {
            warn.accept("warning: could not update " + csv + ": " + ex.getMessage());
        }
    }

    /**
     * {@code listener} (may be null) with each epoch also written as a CSV row "epoch,loss,score,seconds" (the header
     * given at {@link #open}); {@code warn} hears a failed write.
     */
    public TrainingListener recording(TrainingListener listener, Consumer<String> warn) {
        return new TrainingListener() {
            public void epoch(EpochReport e) {
                row(
                        e.epoch(),
                        String.format(
                                Locale.ROOT,
                                "%d,%.6f,%.6f,%.1f",
                                e.epoch(),
                                e.trainLoss(),
                                e.validationScore(),
                                e.seconds()),
                        warn);
                if (listener != null) listener.epoch(e);
            }

            public void step(int step, int steps, float loss) {
                if (listener != null) listener.step(step, steps, loss);
            }

            public void note(String line) {
                if (listener != null) listener.note(line);
            }

            // the whole run's progress (Fiji's progress bar) and messages about the data pass through as well
            public void progress(long done, long all) {
                if (listener != null) listener.progress(done, all);
            }

            public void log(String message) {
                if (listener != null) listener.log(message);
                else TrainingListener.super.log(message);
            }
        };
    }

    private void readRows() throws IOException {
        List<String> lines = Files.readAllLines(csv);
        for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
            int comma = l.indexOf(',');
            if (comma <= 0) continue;
            try {
                rows.put(Integer.parseInt(l.substring(0, comma)), l);
            } catch (NumberFormatException e) {
                // not a row of ours: leave it out
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
            Files.deleteIfExists(checkpoints.resolve(LOCK)); // a killed run's lock file holds no lock: it is reused
        }
    }

    private static final String LOCK = "training.lock";
}
