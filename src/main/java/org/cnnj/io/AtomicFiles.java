package org.cnnj.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
        return target.toAbsolutePath().resolveSibling("." + target.getFileName() + "." + Long.toHexString(System.nanoTime())
                + Thread.currentThread().getId() + ".tmp");
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = tempSibling(target);
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW), 1 << 16)) {
                writer.write(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
