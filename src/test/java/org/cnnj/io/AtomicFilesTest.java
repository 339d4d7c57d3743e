package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed writes say what to fix and leave nothing behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void anOutputFolderThatIsAFileIsNamed() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("results"), "I am a file");
        var e = assertThrows(
                IOException.class, () -> AtomicFiles.write(notAFolder.resolve("labels.tif"), out -> out.write(1)));
        assertTrue(
                e.getMessage().contains("cannot create the folder")
                        && e.getMessage().contains("choose another output folder"),
                e.getMessage());
    }

    @Test
    void aFullDiskIsSaidAndNoTemporaryFileRemains() throws IOException {
        var e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(dir.resolve("big.tif"), out -> {
                    out.write(new byte[1000]);
                    throw new IOException("No space left on device");
                }));
        assertTrue(e.getMessage().contains("the disk is full"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertTrue(files.findAny().isEmpty(), "nothing half-written is left");
        }
    }
}
