package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.cnnj.runtime.JavaEngine;
import org.junit.jupiter.api.Test;

/** The self-test passes on this machine's CPU and reports what it found; model reports name what matters. */
class SelfTestTest {
    @Test
    void passesOnTheCpuAndSaysWhyCudaIsMissing() {
        SelfTest.Report r = SelfTest.run();
        assertTrue(r.passed(), r.text());
        assertTrue(
                r.text().contains("onnxruntime: 1.")
                        && r.text().contains("GEMM kernel:")
                        && r.text().contains("cpu: OK"),
                r.text());
        assertTrue(
                r.text().contains("cuda: OK")
                        || r.text().contains("cuda: not available: CUDA was requested but cannot be used"),
                r.text());
    }

    @Test
    void aWrongResultIsReported() {
        String[] wrong = {"55", "9000", "5000", "2384"};
        try (JavaEngine engine = JavaEngine.open(Path.of("models/nuclei.onnx"))) { // an ensemble: its graph
            String line = SelfTest.check(
                    engine, SegmentationSpec.read(Path.of("models/nuclei.json")), SelfTest.image(null), wrong);
            assertTrue(line.startsWith("WRONG RESULT"), line);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
