package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.seg.SegmentationSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/** Training through the SciJava command, headless, as a Fiji script would run it. */
class TrainSegmentationCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsAndWritesAModelOrCancelsWithAReason() throws Exception {
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.service(CommandService.class);
            Path model = dir.resolve("m.onnx");
            CommandModule m = commands.run(
                            TrainSegmentationCommand.class,
                            true,
                            "images",
                            Path.of("test-images").toFile(),
                            "output",
                            model.toFile(),
                            "task",
                            "instances",
                            "epochs",
                            1,
                            "steps",
                            2,
                            "patch",
                            64,
                            "batch",
                            2,
                            "depth",
                            2,
                            "filters",
                            4)
                    .get();
            assertFalse(m.isCanceled(), m.getCancelReason());
            assertTrue(SegmentationSpec.read(dir.resolve("m.json"))
                    .provenance()
                    .get("command")
                    .startsWith("Fiji: Train Segmentation"));
            assertTrue(Files.exists(dir.resolve("m-checkpoints/last.ckpt")));
            CommandModule again = commands.run(
                            TrainSegmentationCommand.class,
                            true,
                            "images",
                            Path.of("test-images").toFile(),
                            "output",
                            model.toFile(),
                            "epochs",
                            1,
                            "steps",
                            1,
                            "patch",
                            64,
                            "depth",
                            2,
                            "filters",
                            4)
                    .get();
            assertTrue(
                    again.isCanceled() && again.getCancelReason().contains("Resume option"), again.getCancelReason());
        }
    }
}
