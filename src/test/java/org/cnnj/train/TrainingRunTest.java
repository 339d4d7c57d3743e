package org.cnnj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingRunTest {
    /** A fine-tuning run records the model it started from whichever room made it (data, images or examples). */
    @Test
    void aFineTuningRunRecordsTheModelItStartedFromAndWhatThatLearntFrom() {
        TrainingRun<Integer> run = TrainingRun.of(List.of(1, 2), TrainConfig.defaults())
                .withProvenance(Map.of("command", "./cnnj train-det --images mine", "images", "12 photographs"));
        Map<String, String> detector = run.startedFrom(
                        Path.of("models/blood-cells.onnx"),
                        Map.of("command", "./cnnj train-det --images bccd/train", "images", "205 photographs"))
                .provenance();
        assertEquals("blood-cells.onnx: ./cnnj train-det --images bccd/train", detector.get("from"));
        assertEquals("205 photographs", detector.get("from_data"));
        assertEquals("12 photographs", detector.get("images"), "this run's own data stays");
        Map<String, String> classifier = run.startedFrom(Path.of("cells.onnx"), Map.of("examples", "1000 crops"))
                .provenance();
        assertEquals("cells.onnx", classifier.get("from"), "no command recorded: the file alone");
        assertEquals("1000 crops", classifier.get("from_data"));
        assertNull(run.startedFrom(Path.of("x.onnx"), Map.of()).provenance().get("from_data"));
    }
}
