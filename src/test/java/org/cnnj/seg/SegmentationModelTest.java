package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.onnx.HostileModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes a model file declares are checked before anything is allocated for them. */
class SegmentationModelTest {
    @TempDir
    Path dir;

    @Test
    void aModelClaimingABillionOutputChannelsIsRefusedAtOnceNamingIt() throws Exception {
        Path model = dir.resolve("huge.onnx");
        Files.write(model, HostileModels.declaring(new long[] {1, 1, -1, -1}, new long[] {1, 1_000_000_000L, -1, -1}));
        // Before: a billion class names built, then out of memory with advice that could not help.
        var e = assertThrows(IllegalArgumentException.class, () -> SegmentationModel.resolve(model));
        assertTrue(e.getMessage().contains("huge.onnx") && e.getMessage().contains("1000000000"), e.getMessage());
    }
}
