package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccuracyBenchTest {
    /** A model and its float16 export share a file name: each keeps a row of its own. */
    @Test
    void modelsOfTheSameFileNameGetRowsOfTheirOwn() {
        Path a = Path.of("/tmp/e4/e4.onnx"), b = Path.of("/tmp/e4/half/e4.onnx"), c = Path.of("models/nuclei.onnx");
        List<Path> models = List.of(c, a, b);
        assertEquals("nuclei.onnx", AccuracyBench.rowName(c, models));
        assertEquals("e4/e4.onnx", AccuracyBench.rowName(a, models));
        assertEquals("half/e4.onnx", AccuracyBench.rowName(b, models));
    }
}
