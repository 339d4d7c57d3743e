package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Command-line mistakes get one line naming the option and what it takes. */
class SegmentCommandTest {
    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> SegmentCommand.run(args))
                .getMessage();
    }

    @Test
    void argumentMistakesAreExplained() {
        assertTrue(error("--model", "m.onnx").contains("--input, --output are required"));
        assertTrue(error("--modle", "m.onnx").contains("unknown option --modle"));
        assertTrue(error("--model", "m.onnx", "--input", "x.tif", "--output", "o", "--normalize", "zscore")
                .contains("percentile or none"));
        assertTrue(error("--model", "m.onnx", "--input", "x.tif", "--output", "o", "--engine", "tensorflow")
                .contains("ort or java"));
        assertTrue(error("--model", "m.onnx", "--input", "x.tif", "--output", "o", "--device", "gpu")
                .contains("auto, cpu or cuda"));
        assertTrue(error("--output").contains("needs a value"));
    }
}
