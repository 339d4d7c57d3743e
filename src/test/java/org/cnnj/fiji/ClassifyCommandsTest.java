package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.cnnj.cls.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.plugin.Parameter;

/** The classification commands as a Fiji script calls them: through a SciJava Context, headless. */
class ClassifyCommandsTest extends HeadlessContext {
    @TempDir
    Path dir;

    @Test
    void menuPathsAreTheOnesTheReadmeNames() {
        CommandService commands = context.service(CommandService.class);
        assertEquals(
                "Plugins > CNN-J > Classification > Classify Images...",
                commands.getCommand(ClassifyImagesCommand.class).getMenuPath().getMenuString());
        assertEquals(
                "Plugins > CNN-J > Classification > Classify ROIs...",
                commands.getCommand(ClassifyRoisCommand.class).getMenuPath().getMenuString());
        assertEquals(
                "Plugins > CNN-J > Training > Train Classifier...",
                commands.getCommand(TrainClassifierCommand.class).getMenuPath().getMenuString());
    }

    /** A dialog choice must list exactly the architectures the library builds (annotations cannot call code). */
    @Test
    void architectureChoicesAreTheLibrarysArchitectures() throws Exception {
        String[] library =
                Arrays.stream(Architecture.values()).map(Architecture::option).toArray(String[]::new);
        for (Class<?> c : new Class<?>[] {TrainClassifierCommand.class, TrainClassifierOnImageCommand.class}) {
            Field f = c.getDeclaredField("architecture");
            assertArrayEquals(library, f.getAnnotation(Parameter.class).choices(), c.getSimpleName());
        }
    }

    @Test
    void trainsAndClassifiesHeadless() throws Exception {
        File model = dir.resolve("cells.onnx").toFile();
        CommandModule train = context.service(CommandService.class)
                .run(
                        TrainClassifierCommand.class,
                        true,
                        "images",
                        new File("test-images/cells"),
                        "output",
                        model,
                        "architecture",
                        "lenet5",
                        "size",
                        32,
                        "width",
                        0.5,
                        "epochs",
                        1)
                .get();
        assertFalse(train.isCanceled(), train.getCancelReason());
        assertTrue(String.valueOf(train.getOutput("summary")).startsWith("best validation accuracy"));
        CommandModule apply = context.service(CommandService.class)
                .run(
                        ClassifyImagesCommand.class,
                        true,
                        "model",
                        model,
                        "input",
                        new File("test-images/cells/mitotic"),
                        "output",
                        dir.resolve("out").toFile(),
                        "dense",
                        false,
                        "engine",
                        "java",
                        "device",
                        "cpu")
                .get();
        assertFalse(apply.isCanceled(), apply.getCancelReason());
        assertEquals(13, Files.readAllLines(dir.resolve("out/classes.csv")).size());
    }

    @Test
    void classifyingRoisHeadlessWithoutAnOutputFolderSaysWhy() throws Exception {
        CommandModule m = context.service(CommandService.class)
                .run(
                        ClassifyRoisCommand.class,
                        true,
                        "image",
                        IJ.openImage("test-images/nuclei-1.tif"),
                        "model",
                        new File("models/cells.onnx"),
                        "device",
                        "cpu")
                .get();
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("output=[folder]"), m.getCancelReason());
    }
}
