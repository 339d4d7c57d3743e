package org.cnnj.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a child process (ImageJ, a JVM) to its end within a time limit; a hang is ended and reported, never waited out. */
public final class ChildProcess {
    /** What the process printed (stdout and stderr together) and whether it ended in time. */
    public record Run(String output, boolean finished, int exitCode) {}

    private ChildProcess() {}

    public static Run run(List<String> command, Path workingDir, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDir != null) b.directory(workingDir.toFile());
        Process p = b.start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                p.getInputStream().transferTo(bytes);
            } catch (IOException ignored) {
                // the process was ended
            }
        });
        reader.start();
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly(); // e.g. a modal dialog: fail the test instead of stalling the build
        reader.join(10_000);
        return new Run(bytes.toString(), finished, finished ? p.exitValue() : -1);
    }
}
