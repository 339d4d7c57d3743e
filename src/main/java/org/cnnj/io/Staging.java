package org.cnnj.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * One image's set of result files written as a unit: into a hidden staging folder inside the output
 * folder first, then each renamed into place (renames need no disk space, so once every file is
 * written nothing can fail half way for lack of it); on failure the staging folder is removed and the
 * output folder keeps what it had.
 */
public final class Staging {
    @FunctionalInterface
    public interface Writer {
        void write(Path staging) throws IOException;
    }

    private Staging() {}

    public static void write(Path dir, Writer writer) throws IOException {
        AtomicFiles.createFolder(dir);
        Path staging = dir.resolve(".cnnj-staging-" + Long.toHexString(System.nanoTime()) + "-"
                + Thread.currentThread().getId());
        try {
            AtomicFiles.createFolder(staging);
            writer.write(staging);
            List<Path> files;
            try (Stream<Path> s = Files.list(staging)) {
                files = s.toList();
            }
            for (Path f : files) {
                Path target = dir.resolve(f.getFileName().toString());
                try {
                    Files.move(f, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }
}
