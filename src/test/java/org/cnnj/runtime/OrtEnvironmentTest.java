package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29's telemetry recorder matches regular expressions against the process's command line when its
 * environment starts, recursively: a JVM with a long command line (a class path of a hundred jars, as Fiji's launcher
 * gives) died of a stack overflow, SIGSEGV, before a single line. A JVM with a 40 KB command line and telemetry left on
 * (no ORT_DISABLE_TELEMETRY) now segments an image.
 */
class OrtEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void aJvmWithALongCommandLineStartsOnnxRuntime() throws Exception {
        ProcessBuilder b = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dpadding=" + "x".repeat(40_000),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.cnnj.cli.Main",
                        "segment",
                        "--model",
                        "models/nuclei.onnx",
                        "--input",
                        "test-images/nuclei-1.tif",
                        "--output",
                        dir.toString(),
                        "--diameter",
                        "none")
                .redirectErrorStream(true);
        b.environment().remove("ORT_DISABLE_TELEMETRY");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "exit " + p.exitValue() + " (139: SIGSEGV): " + out);
        assertTrue(out.contains("nuclei-1.tif: "), out);
    }
}
