package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.det.DetectionScenes;
import org.cnnj.det.TrainedMaskDetector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/** Detect and Train Detector as a Fiji script would call them: through a SciJava Context, headless. */
class DetectFolderCommandTest extends HeadlessContext {
    @TempDir
    Path dir;

    @Test
    void bothCommandsAreInTheMenuAndDetectRunsHeadless() throws Exception {
        CommandService commands = context.service(CommandService.class);
        CommandInfo detect = commands.getCommand(DetectFolderCommand.class),
                train = commands.getCommand(TrainDetectorCommand.class);
        assertTrue(
                detect != null
                        && detect.getMenuPath()
                                .getMenuString()
                                .equals("Plugins > CNN-J > Detection > Detect in Folder..."),
                "plugin index entry: " + detect);
        assertTrue(
                train != null
                        && train.getMenuPath()
                                .getMenuString()
                                .equals("Plugins > CNN-J > Training > Train Detector on Folder..."),
                "plugin index entry: " + train);
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")), "models/detector.onnx not built yet");
        CommandModule m = commands.run(
                        DetectFolderCommand.class,
                        true,
                        "model",
                        new File("models/detector.onnx"),
                        "input",
                        new File("test-images/scenes/scene-2.tif"),
                        "output",
                        dir.toFile(),
                        "score",
                        0.5,
                        "nms",
                        0.4,
                        "classes",
                        "round",
                        "engine",
                        "ort",
                        "device",
                        "cpu")
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(
                String.valueOf(m.getOutput("summary")).startsWith("detected "), String.valueOf(m.getOutput("summary")));
        assertTrue(Files.readAllLines(dir.resolve("detections.csv")).stream()
                .skip(1)
                .allMatch(l -> l.contains(",round,")));
    }

    @Test
    void trainingWithoutRoisCancelsWithAReason() throws Exception {
        IJ.save(
                new ImagePlus("img", new ShortProcessor(64, 64)),
                dir.resolve("a.tif").toString());
        CommandModule m = context.service(CommandService.class)
                .run(
                        TrainDetectorCommand.class,
                        true,
                        "images",
                        dir.toFile(),
                        "output",
                        dir.resolve("m.onnx").toFile(),
                        "epochs",
                        1,
                        "steps",
                        1)
                .get();
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("no boxes for a.tif"), m.getCancelReason());
        assertTrue(Files.notExists(dir.resolve("m.onnx")));
    }

    @Test
    void anOutputThatIsAFileAndTwoRunsAtOnceAreHandled() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")));
        CommandService commands = context.service(CommandService.class);
        Path notAFolder = Files.writeString(dir.resolve("out"), "a file");
        CommandModule bad = commands.run(
                        DetectFolderCommand.class,
                        true,
                        "model",
                        new File("models/detector.onnx"),
                        "input",
                        new File("test-images/scenes/scene-1.tif"),
                        "output",
                        notAFolder.toFile(),
                        "device",
                        "cpu")
                .get();
        assertTrue(
                bad.isCanceled() && bad.getCancelReason().contains("choose another output folder"),
                bad.getCancelReason());
        // Two commands at once share ONNX Runtime's environment; each has its own session and output.
        var first = commands.run(
                DetectFolderCommand.class,
                true,
                "model",
                new File("models/detector.onnx"),
                "input",
                new File("test-images/scenes/scene-1.tif"),
                "output",
                dir.resolve("a").toFile(),
                "device",
                "cpu",
                "classes",
                "");
        var second = commands.run(
                DetectFolderCommand.class,
                true,
                "model",
                new File("models/detector.onnx"),
                "input",
                new File("test-images/scenes/scene-2.tif"),
                "output",
                dir.resolve("b").toFile(),
                "device",
                "cpu",
                "classes",
                "");
        assertFalse(first.get().isCanceled(), first.get().getCancelReason());
        assertFalse(second.get().isCanceled(), second.get().getCancelReason());
        assertTrue(Files.readAllLines(dir.resolve("a/detections.csv")).size() > 80
                && Files.readAllLines(dir.resolve("b/detections.csv")).size() > 80);
    }

    @Test
    void detectInImageWithAMaskDetectorGivesALabelImage() throws Exception {
        Path model = TrainedMaskDetector.model();
        DetectionScenes.Scene scene = DetectionScenes.generate(99, 160, 160, 0.0015);
        ImagePlus image = new ImagePlus("scene", new FloatProcessor(160, 160, scene.image()));
        CommandModule m = context.service(CommandService.class)
                .run(
                        DetectImageCommand.class,
                        true,
                        "image",
                        image,
                        "model",
                        model.toFile(),
                        "channels",
                        "all",
                        "score",
                        0.5,
                        "nms",
                        0.4,
                        "device",
                        "cpu",
                        "output",
                        dir.toFile())
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus labels = (ImagePlus) m.getOutput("labelImage");
        assertNotNull(labels, "a detector with masks gives a label image");
        int objects = (int) labels.getProcessor().getStatistics().max;
        assertTrue(objects >= 10, objects + " objects");
        assertTrue(
                String.valueOf(m.getOutput("summary")).startsWith(objects + " objects"),
                String.valueOf(m.getOutput("summary")));
        assertTrue(Files.exists(dir.resolve("labels.tif")) && Files.exists(dir.resolve("rois.zip")));
    }
}
