package org.cnnj.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Writes a file through a temporary sibling and a rename, so a crash or full disk never leaves half a file. */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * A fresh hidden name next to {@code target} for writing before the rename. (Files.createTempFile
     * would make it readable by the owner only; results must keep the usual permissions.)
     */
    public static Path tempSibling(Path target) {
        return target.toAbsolutePath()
                .resolveSibling("." + target.getFileName() + "." + Long.toHexString(System.nanoTime())
                        + Thread.currentThread().getId() + ".tmp");
    }

    /**
     * Deletes the temporary siblings ({@link #tempSibling}) of {@code targets} that a killed run left behind. Only for a
     * caller that holds the lock of these files' writer (no one else can be writing them now).
     */
    public static void sweepTemporaries(List<Path> targets) throws IOException {
        for (Path target : targets) {
            Path dir = target.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) continue;
            String prefix = "." + target.getFileName() + ".";
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String n = f.getFileName().toString();
                    if (n.startsWith(prefix) && n.endsWith(".tmp")) Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * Writes {@code target}. File-system failures (folder not creatable or writable, disk full) come back
     * as an IOException that names the file and what to check; the caller's own exceptions pass unchanged.
     */
    public static void write(Path target, Writer writer) throws IOException {
        createFolder(target.toAbsolutePath().getParent());
        Path tmp = tempSibling(target);
        try {
            try (OutputStream out =
                    new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW), 1 << 16)) {
                writer.write(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileSystemException e) {
            throw new IOException(
                    "cannot write " + target + " (" + describe(e)
                            + "); check that the folder is writable and the disk has space",
                    e);
        } catch (IOException e) {
            if (e.getMessage() != null
                    && e.getMessage().toLowerCase(Locale.ROOT).contains("no space")) {
                throw new IOException(
                        "cannot write " + target + ": the disk is full; free space or choose another output folder", e);
            }
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Deletes {@code tree} (a file or a folder with everything in it) as far as it can, quietly: for temporary and
     * partial folders, which are hidden and harmless when something is left (null or missing: nothing to do).
     */
    public static void deleteTree(Path tree) {
        if (tree == null || !Files.exists(tree)) return;
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: what is left is hidden or temporary
        }
    }

    /** Creates {@code dir} (and parents) if needed; failure names the folder and the way out. */
    public static void createFolder(Path dir) throws IOException {
        if (dir == null) return;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException(
                    "cannot create the folder " + dir + " (" + describe(e) + "); choose another output folder", e);
        }
    }

    private static String describe(IOException e) {
        String kind = e.getClass()
                .getSimpleName()
                .replace("Exception", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase(Locale.ROOT);
        return e instanceof FileSystemException f && f.getReason() != null ? kind + ": " + f.getReason() : kind;
    }
}
