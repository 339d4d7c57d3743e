package org.cnnj.cli;

/** Placeholder replaced below. */
final class DemoCommand {
    private DemoCommand() {}

    static int run(String[] args) {
        throw new IllegalArgumentException("demo: not built yet");
    }
}
