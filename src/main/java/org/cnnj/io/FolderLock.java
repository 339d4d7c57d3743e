package org.cnnj.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One run at a time writing into a folder: a second run into the same output (another process, or another command in
 * the same Fiji) is refused at once instead of both "succeeding" with their files mixed. The operating system releases
 * the lock when a process dies, so a killed run leaves no lock that blocks the next; the lock file is removed on close.
 */
public final class FolderLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code folder} (created when missing) for {@code what} ("classify"), or refuses naming the folder. */
    public static FolderLock of(Path folder, String what) throws IOException {
        AtomicFiles.createFolder(folder);
        Path file = folder.resolve(".cnnj-" + what + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another run in this JVM
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another " + what + " run is writing into " + folder
                    + "; wait until it ends or choose another output folder");
        }
        return new FolderLock(file, channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
