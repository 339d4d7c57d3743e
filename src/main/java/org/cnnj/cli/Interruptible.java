package org.cnnj.cli;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CLI training that Ctrl-C (SIGINT, or a plain kill) stops the way Esc stops it in Fiji: a shutdown
 * hook raises the cancel flag and holds the JVM until the run has stopped at the next step, restored
 * the best weights, exported the model and printed how to resume.
 */
final class Interruptible {
    /** The training itself, given the cancel flag it must watch. */
    @FunctionalInterface
    interface Run {
        void run(AtomicBoolean cancel) throws IOException;
    }

    /** How long the hook waits for the model to be exported before the JVM goes anyway. */
    private static final long GRACE_SECONDS = 300;

    private Interruptible() {}

    static void run(String resumeCommand, Run run) throws IOException {
        AtomicBoolean cancel = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    if (finished.getCount() == 0) return;
                    interrupted.set(true);
                    System.err.println("interrupted: stopping at the next step and exporting the best model so far...");
                    cancel.set(true);
                    try {
                        finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "cnnj-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run.run(cancel);
            if (interrupted.get()) System.err.println("to continue this training: " + resumeCommand);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (this was the interrupt): the hook is already running
            }
        }
    }

    /** The command line again, with --resume (once). */
    static String resumeCommand(String command, String[] args) {
        String line = "./cnnj " + command + " " + String.join(" ", args);
        return Arrays.asList(args).contains("--resume") ? line : line + " --resume";
    }
}
