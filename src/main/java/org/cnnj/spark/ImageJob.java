package org.cnnj.spark;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.apache.spark.SparkEnv;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.ImageFiles;

/**
 * One image of a Spark run, as a task does it: skipped when its folder is already complete (a restarted run), else
 * processed into a hidden partial folder beside the others, completed by a marker file, and renamed into place in one
 * step. A task that is retried, or runs twice (speculation, a lost executor's work redone), therefore never leaves a
 * second copy or half a folder: the first complete folder wins and the others are deleted. A failure (a corrupt image,
 * too little memory) becomes a "failed" row with its reason, and the job goes on. {@code slots}: images side by side
 * per executor (0: the executor counts its cores), each model with one thread unless the command gives --threads.
 */
record ImageJob(String command, String[] args, String output, String run, int slots) implements Serializable {
    /** Written last into an image's folder; its presence means the folder is complete. */
    static final String MARKER = ".cnnj-done";

    static final String PARTIAL = ".cnnj-partial-";

    ImageRow process(String image) {
        Path file = Path.of(image), out = Path.of(output);
        String name = ImageFiles.baseName(file);
        Path dir = out.resolve(name), partial = out.resolve(PARTIAL + name + "-" + UUID.randomUUID());
        try {
            if (Files.isRegularFile(dir.resolve(MARKER))) return row(image, dir);
            long t0 = System.nanoTime();
            int objects = ExecutorWorkers.run(this, file, partial);
            Properties done = new Properties();
            done.setProperty("run", run);
            done.setProperty("objects", Integer.toString(objects));
            done.setProperty("seconds", String.format(Locale.ROOT, "%.3f", (System.nanoTime() - t0) / 1e9));
            done.setProperty("executor", executor());
            StringWriter text = new StringWriter();
            done.store(text, "CNN-J: this folder is complete");
            AtomicFiles.write(
                    partial.resolve(MARKER), o -> o.write(text.toString().getBytes(StandardCharsets.UTF_8)));
            try {
                Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(dir.resolve(MARKER))) throw e; // not another attempt's complete folder
            }
            return row(image, dir);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // An executor that is going down (its worker was killed) closes its models under the running images: the
            // task fails, so that Spark runs the image again elsewhere, instead of reporting a good image as bad.
            if (ExecutorWorkers.closing())
                throw new IllegalStateException("the executor is shutting down; " + name + " will be run again", e);
            String reason = e instanceof OutOfMemoryError
                    ? "out of memory: give executors more (--conf spark.executor.memory=4g) or use a smaller --tile"
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            return new ImageRow(image, name, ImageRow.FAILED, 0, 0, run, executor(), reason);
        } finally {
            AtomicFiles.deleteTree(partial);
        }
    }

    /** The row of a complete folder, from its marker. */
    private static ImageRow row(String image, Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(MARKER))) {
            p.load(r);
        }
        return new ImageRow(
                image,
                dir.getFileName().toString(),
                ImageRow.DONE,
                Integer.parseInt(p.getProperty("objects", "0")),
                Double.parseDouble(p.getProperty("seconds", "0")),
                p.getProperty("run", ""),
                p.getProperty("executor", ""),
                "");
    }

    static String executor() {
        SparkEnv env = SparkEnv.get();
        String id = env == null ? "?" : env.executorId();
        try {
            return InetAddress.getLocalHost().getHostName() + "/" + id + "/"
                    + ProcessHandle.current().pid();
        } catch (IOException e) {
            return id;
        }
    }
}
