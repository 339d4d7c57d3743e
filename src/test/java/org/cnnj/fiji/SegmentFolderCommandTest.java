package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/** The command as a Fiji script would call it: through a SciJava Context, headless. */
class SegmentFolderCommandTest extends HeadlessContext {
    @TempDir
    Path dir;

    private CommandModule run(File model, File input, File output) throws Exception {
        return context.service(CommandService.class)
                .run(
                        SegmentFolderCommand.class,
                        true,
                        "model",
                        model,
                        "input",
                        input,
                        "output",
                        output,
                        "engine",
                        "ort",
                        "device",
                        "cpu",
                        "probabilities",
                        false)
                .get();
    }

    @Test
    void isDiscoveredInTheMenuAndSegmentsHeadless() throws Exception {
        CommandInfo info = context.service(CommandService.class).getCommand(SegmentFolderCommand.class);
        assertTrue(
                info != null
                        && info.getMenuPath()
                                .getMenuString()
                                .equals("Plugins > CNN-J > Segmentation > Segment Folder..."),
                "plugin index entry: " + info);
        CommandModule m = run(new File("models/nuclei.onnx"), new File("test-images/nuclei-1.tif"), dir.toFile());
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(Files.size(dir.resolve("rois.zip")) > 1000);
        assertTrue(String.valueOf(m.getOutput("summary")).startsWith("segmented nuclei-1.tif"));
    }

    @Test
    void badInputCancelsWithAReasonInsteadOfThrowing() throws Exception {
        CommandModule m = run(dir.resolve("missing.onnx").toFile(), new File("test-images/nuclei-1.tif"), dir.toFile());
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("does not exist"), m.getCancelReason());
    }
}
