package org.cnnj.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
