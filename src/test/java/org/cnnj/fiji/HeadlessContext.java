package org.cnnj.fiji;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.scijava.Context;
import org.scijava.command.CommandService;

/** A headless SciJava context for the tests of the commands: one per test class, disposed after it. */
public abstract class HeadlessContext {
    protected static Context context;

    @BeforeAll
    public static void start() {
        System.setProperty("java.awt.headless", "true");
        context = new Context(CommandService.class);
    }

    @AfterAll
    public static void stop() {
        context.dispose();
    }
}
