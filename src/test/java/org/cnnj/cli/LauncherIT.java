package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training stopped through the ./cnnj launcher, as a terminal's Ctrl-C or a kill reaches it (a signal to the whole
 * process group: Java and the launcher's filter of its error output alike), still says how to continue: the filter
 * outlives Java. Runs after package (failsafe), with the built jar.
 */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void aSignalToTheLaunchersGroupKeepsTheResumeLine() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs setsid (util-linux)");
        Path err = dir.resolve("err.txt"), out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(
                        "setsid",
                        "./cnnj",
                        "train-seg",
                        "--images",
                        "test-images",
                        "--output",
                        dir.resolve("m.onnx").toString(),
                        "--epochs",
                        "5000",
                        "--steps",
                        "10",
                        "--patch",
                        "64",
                        "--depth",
                        "2",
                        "--filters",
                        "4",
                        "--validation",
                        "0.5",
                        "--patience",
                        "0")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            for (int i = 0; i < 120 && !Files.readString(out).contains("epoch 2/"); i++) Thread.sleep(500);
            assertTrue(Files.readString(out).contains("epoch 2/"), "training started: " + Files.readString(err));
            // setsid made the launcher (then Java, which it execs) the leader of a group of its own: the group gets the
            // signal, as the terminal's foreground group does on Ctrl-C.
            new ProcessBuilder("kill", "-TERM", "--", "-" + p.pid())
                    .inheritIO()
                    .start()
                    .waitFor();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training stopped");
            Thread.sleep(500); // the filter writes its last line after Java exits
            String said = Files.readString(err, StandardCharsets.UTF_8);
            assertTrue(said.contains("to continue this training:") && said.contains("--resume"), said);
            assertTrue(Files.exists(dir.resolve("m.onnx")), "the best model so far was exported");
        } finally {
            p.destroyForcibly();
        }
    }
}
