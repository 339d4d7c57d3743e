package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.ij.LabelResults;
import org.cnnj.ij.RoiZips;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.TrainSegmentationFiles;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleService;

/** Segment Image / Detect in Image on an ImagePlus as Fiji hands it over (headless: results go to files). */
class OpenImageCommandsTest extends HeadlessContext {
    @TempDir
    Path dir;

    @Test
    void segmentsAStackSliceBySliceWithPositions() throws Exception {
        ImagePlus a = Tiffs.open(Path.of("test-images/nuclei-1.tif")),
                b = Tiffs.open(Path.of("test-images/nuclei-2.tif"));
        ImageStack stack = new ImageStack(256, 256);
        stack.addSlice(a.getProcessor());
        stack.addSlice(b.getProcessor());
        ImagePlus movie = new ImagePlus("movie", stack);
        movie.setDimensions(1, 1, 2);
        CommandModule m = context.service(CommandService.class)
                .run(
                        SegmentImageCommand.class,
                        true,
                        "image",
                        movie,
                        "model",
                        new File("models/nuclei.onnx"),
                        "engine",
                        "ort",
                        "device",
                        "cpu",
                        "output",
                        dir.toFile())
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus labels = (ImagePlus) m.getOutput("labels");
        assertEquals(2, labels.getStackSize());
        var rois = RoiZips.read(dir.resolve("rois.zip"));
        assertTrue(
                rois.stream().anyMatch(r -> r.getPosition() == 1)
                        && rois.stream().anyMatch(r -> r.getPosition() == 2),
                "positions 1 and 2");
        assertTrue(Files.readAllLines(dir.resolve("results.csv")).size() > 400);
        assertEquals(
                rois.size(), Tiffs.open(dir.resolve("overlay.tif")).getOverlay().size(), "outlines travel in the TIFF");
    }

    @Test
    void trainsASegmentationModelOnTheOpenImageWithItsRois() throws Exception {
        ImagePlus nuclei = Tiffs.open(Path.of("test-images/nuclei-1.tif"));
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        RoiZips.write(LabelResults.rois(truth, 256, 256, 0), dir.resolve("nuclei.zip"));
        CommandModule m = context.service(CommandService.class)
                .run(
                        TrainSegmentationOnImageCommand.class,
                        true,
                        "image",
                        nuclei,
                        "rois",
                        dir.resolve("nuclei.zip").toFile(),
                        "output",
                        dir.resolve("seg.onnx").toFile(),
                        "epochs",
                        1,
                        "steps",
                        2,
                        "patch",
                        64,
                        "from",
                        null)
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(
                String.valueOf(m.getOutput("summary")).contains("objects: AP@0.5"),
                String.valueOf(m.getOutput("summary")));
        assertTrue(Files.exists(dir.resolve("seg.json")));
    }

    @Test
    void detectsInTheOpenImageAndNeedsAFolderHeadless() throws Exception {
        ImagePlus scene = Tiffs.open(Path.of("test-images/scenes/scene-1.tif"));
        CommandService commands = context.service(CommandService.class);
        // (output given as null: SciJava would otherwise fill in the last value used, as it does for users)
        CommandModule noFolder = commands.run(
                        DetectImageCommand.class,
                        true,
                        "image",
                        scene,
                        "model",
                        new File("models/detector.onnx"),
                        "device",
                        "cpu",
                        "output",
                        null)
                .get();
        assertTrue(
                noFolder.isCanceled() && noFolder.getCancelReason().contains("output=[folder]"),
                noFolder.getCancelReason());
        CommandModule m = commands.run(
                        DetectImageCommand.class,
                        true,
                        "image",
                        scene,
                        "model",
                        new File("models/detector.onnx"),
                        "device",
                        "cpu",
                        "output",
                        dir.toFile())
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(Files.readAllLines(dir.resolve("detections.csv")).size() > 80);
        Overlay overlay = Tiffs.open(dir.resolve("overlay.tif")).getOverlay();
        assertTrue(
                overlay != null && overlay.size() > 80,
                "overlay " + (overlay == null ? null : overlay.size()) + " csv "
                        + Files.readAllLines(dir.resolve("detections.csv")).size());
    }

    @Test
    void noOpenImageIsNamed() throws Exception {
        CommandModule m = context.service(CommandService.class)
                .run(DetectImageCommand.class, true, "model", new File("models/detector.onnx"), "output", dir.toFile())
                .get();
        assertTrue(m.isCanceled() && m.getCancelReason().contains("no image is open"), m.getCancelReason());
        var e = Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> ImageJ1Command.inputs(
                        context.service(CommandService.class).getCommand(DetectImageCommand.class),
                        "model=[models/detector.onnx]"));
        assertTrue(e.getMessage().contains("no image is open"), e.getMessage());
    }

    @Test
    void trainsADetectorOnTheOpenImageWithItsRois() throws Exception {
        ImagePlus scene = Tiffs.open(Path.of("test-images/scenes/scene-1.tif"));
        CommandService commands = context.service(CommandService.class);
        CommandModule none = commands.run(
                        TrainDetectorOnImageCommand.class,
                        true,
                        "image",
                        scene,
                        "rois",
                        null,
                        "output",
                        dir.resolve("m.onnx").toFile())
                .get();
        assertTrue(none.isCanceled() && none.getCancelReason().contains("ROI Manager"), none.getCancelReason());
        CommandModule m = commands.run(
                        TrainDetectorOnImageCommand.class,
                        true,
                        "image",
                        scene,
                        "rois",
                        new File("test-images/scenes/scene-1.zip"),
                        "output",
                        dir.resolve("m.onnx").toFile(),
                        "epochs",
                        1,
                        "steps",
                        2,
                        "patch",
                        64,
                        "scale",
                        0.5)
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(
                Files.exists(dir.resolve("m.head.onnx"))
                        && String.valueOf(m.getOutput("summary")).contains("98 boxes"),
                String.valueOf(m.getOutput("summary")));
        // The image scale field reaches the model: it resizes every image alike when detecting.
        assertTrue(Files.readString(dir.resolve("m.json")).contains("\"imageScale\": 0.5"));
    }

    @Test
    void choosingADetectorFillsItsThresholdsIntoTheDialog() throws Exception {
        CommandService commands = context.service(CommandService.class);
        org.scijava.module.Module module =
                context.service(ModuleService.class).createModule(commands.getCommand(DetectImageCommand.class));
        module.setInput("score", 0.9);
        module.setInput("model", new File("models/detector.onnx"));
        module.getInfo().getInput("model").callback(module);
        assertEquals(0.5, (Double) module.getInput("score"), 1e-6);
        assertEquals(0.4, (Double) module.getInput("nms"), 1e-6);
    }
}
