package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.SegmentationSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/** Export Model… and Import Model… with the bioimage.io format, as a Fiji script calls them (headless). */
class ModelCommandsTest extends HeadlessContext {
    @TempDir
    Path dir;

    @Test
    void exportsABioimageIoPackageAndImportsItBack() throws Exception {
        CommandModule export = context.service(CommandService.class)
                .run(
                        ExportModelCommand.class,
                        true,
                        "model",
                        new File("models/nuclei.onnx"),
                        "folder",
                        dir.toFile(),
                        "format",
                        "bioimage.io package",
                        "name",
                        "CNN-J nuclei",
                        "authors",
                        "Ada Lovelace, Alan Turing",
                        "license",
                        "CC-BY-4.0")
                .get();
        assertFalse(export.isCanceled(), export.getCancelReason());
        Path zip = dir.resolve("nuclei.zip");
        assertTrue(Files.size(zip) > 1_000_000, "the package");
        File imported = dir.resolve("back/nuclei.onnx").toFile();
        CommandModule in = context.service(CommandService.class)
                .run(
                        ImportModelCommand.class,
                        true,
                        "model",
                        zip.toFile(),
                        "output",
                        imported,
                        "classes",
                        0,
                        "multiple",
                        16,
                        "halo",
                        32,
                        "normalize",
                        "percentile")
                .get();
        assertFalse(in.isCanceled(), in.getCancelReason());
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(imported.toPath()));
        assertEquals(
                SegmentationSpec.read(Path.of("models/nuclei.json")),
                spec,
                "the package's own sidecar, not the options");
        assertTrue(
                String.valueOf(in.getOutput("summary")).contains("halo 128"), String.valueOf(in.getOutput("summary")));
    }
}
