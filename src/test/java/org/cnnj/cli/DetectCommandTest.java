package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.det.DetectorKind;
import org.cnnj.det.DetectorSpec;
import org.cnnj.model.Sidecars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-det on image + ROI zip pairs, then detect with the result, as a user would from the shell. */
class DetectCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsFromRoiZipsAndDetectsWithTheModel() throws Exception {
        Path model = dir.resolve("cells.onnx");
        assertEquals(0, TrainDetCommand.run(shortTraining(model)));
        DetectorSpec spec = DetectorSpec.read(Sidecars.of(model));
        assertEquals(List.of("elongated", "round"), spec.classes(), "classes from the ROI names, sorted");
        assertTrue(Files.exists(dir.resolve("cells.head.onnx"))
                && Files.readAllLines(dir.resolve("cells-training.csv")).size() == 2);
        assertEquals(0, DetectCommand.run(new String[] {
            "--model",
            model.toString(),
            "--input",
            "test-images/scenes",
            "--output",
            dir.resolve("out").toString(),
            "--device",
            "cpu",
            "--score",
            "0.3"
        }));
        assertTrue(Files.exists(dir.resolve("out/scene-1/detections.csv"))
                && Files.exists(dir.resolve("out/scene-2/overlay.tif")));
        var again = assertThrows(
                IllegalArgumentException.class,
                () -> TrainDetCommand.run(
                        new String[] {"--images", "test-images/scenes", "--output", model.toString()}));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
        var typo = assertThrows(
                IllegalArgumentException.class,
                () -> DetectCommand.run(new String[] {"--model", model.toString(), "--scor", "0.3"}));
        assertTrue(typo.getMessage().contains("unknown option --scor"), typo.getMessage());
        var number = assertThrows(
                IllegalArgumentException.class,
                () -> TrainDetCommand.run(new String[] {"--images", "x", "--output", "y.onnx", "--epochs", "ten"}));
        assertTrue(number.getMessage().contains("--epochs must be a whole number"), number.getMessage());
    }

    @Test
    void trainsAOneStageDetectorAndDetectsWithIt() throws Exception {
        Path model = dir.resolve("fcos.onnx");
        assertEquals(0, TrainDetCommand.run(shortTraining(model, "--architecture", "one-stage")));
        DetectorSpec spec = DetectorSpec.read(Sidecars.of(model));
        assertEquals(DetectorKind.ONE_STAGE, spec.kind());
        assertFalse(Files.exists(dir.resolve("fcos.head.onnx")), "one graph");
        assertEquals(0, DetectCommand.run(new String[] {
            "--model",
            model.toString(),
            "--input",
            "test-images/scenes",
            "--output",
            dir.resolve("one").toString()
        }));
        assertTrue(Files.exists(dir.resolve("one/scene-1/detections.csv")));
        var arch = assertThrows(
                IllegalArgumentException.class,
                () -> TrainDetCommand.run(
                        new String[] {"--images", "x", "--output", "y.onnx", "--architecture", "yolo"}));
        assertTrue(arch.getMessage().contains("two-stage") && arch.getMessage().contains("yolo"), arch.getMessage());
    }

    /** One epoch of two steps on the scenes' ROI zips, and {@code more} options. */
    private static String[] shortTraining(Path model, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--images",
                "test-images/scenes",
                "--output",
                model.toString(),
                "--epochs",
                "1",
                "--steps",
                "2",
                "--patch",
                "64",
                "--batch",
                "2"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }
}
