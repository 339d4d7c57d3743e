package org.cnnj.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingOutputTest {
    @TempDir
    Path dir;

    @Test
    void aSecondTrainingIntoTheSameOutputIsRefusedWhileTheFirstRuns() throws Exception {
        Path model = dir.resolve("m.onnx");
        try (TrainingOutput first = TrainingOutput.open(model, false, "epoch", "train")) {
            var e = assertThrows(
                    IllegalArgumentException.class, () -> TrainingOutput.open(model, false, "epoch", "train"));
            assertTrue(e.getMessage().contains("another training is writing m.onnx"), e.getMessage());
        }
        TrainingOutput.open(model, false, "epoch", "train").close(); // free again once the first has ended
    }

    /** What a kill -9 leaves (half-written hidden files, the lock file) is cleared by the next run that takes the lock. */
    @Test
    void aKilledRunsLeftoversAreClearedByTheNextRun(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.onnx"), checkpoints = Files.createDirectories(dir.resolve("m-checkpoints"));
        Path staleModel = Files.writeString(dir.resolve(".m.onnx.1a2b3.tmp"), "half"),
                staleCheckpoint = Files.writeString(checkpoints.resolve(".last.ckpt.4c5d6.tmp"), "half"),
                otherFile = Files.writeString(dir.resolve(".other.tif.77.tmp"), "not ours");
        Files.writeString(checkpoints.resolve("training.lock"), "");
        try (TrainingOutput out = TrainingOutput.open(model, false, "epoch", "test")) {
            assertTrue(Files.notExists(staleModel) && Files.notExists(staleCheckpoint), "our half-written files");
            assertTrue(Files.exists(otherFile), "files of other writers stay");
        }
        assertTrue(Files.notExists(checkpoints.resolve("training.lock")), "no lock file left behind");
    }
}
