package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.VolumeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/** 3-D training through the SciJava command, headless, as a Fiji script would run it. */
class TrainSegmentation3dCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsOnStacksAndWritesA3dModelOrCancelsWithAReason() throws Exception {
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.service(CommandService.class);
            Path model = dir.resolve("m3d.onnx");
            CommandModule m = commands.run(
                            TrainSegmentation3dCommand.class,
                            true,
                            "images",
                            Path.of("test-images/stacks").toFile(),
                            "output",
                            model.toFile(),
                            "voxel",
                            "", // as the dialog leaves it (SciJava remembers the last value given)
                            "epochs",
                            1,
                            "steps",
                            2,
                            "patch",
                            32,
                            "batch",
                            1,
                            "filters",
                            4)
                    .get();
            assertFalse(m.isCanceled(), m.getCancelReason());
            VolumeSpec spec = VolumeSpec.read(Sidecars.of(model));
            assertTrue(spec.provenance().get("command").startsWith("Fiji: Train 3-D Segmentation"));
            assertTrue(Math.abs(spec.zRatio() - 2.2) < 1e-9, "the stacks' calibration: " + spec.zRatio());
            assertTrue(Files.exists(dir.resolve("m3d-checkpoints/last.ckpt")));
            CommandModule wrong = commands.run(
                            TrainSegmentation3dCommand.class,
                            true,
                            "images",
                            Path.of("test-images/stacks").toFile(),
                            "output",
                            dir.resolve("other.onnx").toFile(),
                            "voxel",
                            "2.0,0.5")
                    .get();
            assertTrue(wrong.isCanceled() && wrong.getCancelReason().contains("z,y,x"), wrong.getCancelReason());
        }
    }

    @Test
    void trainsOnTheOpenStackWithItsLabelStack() throws Exception {
        ImagePlus stack = IJ.openImage("test-images/stacks/nuclei3d-1.tif"),
                labels = IJ.openImage("test-images/stacks/nuclei3d-1-labels.tif");
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.service(CommandService.class);
            Path model = dir.resolve("own3d.onnx");
            CommandModule m = commands.run(
                            TrainSegmentation3dOnImageCommand.class,
                            true,
                            "image",
                            stack,
                            "labels",
                            labels,
                            "output",
                            model.toFile(),
                            "voxel",
                            "",
                            "epochs",
                            1,
                            "steps",
                            2,
                            "patch",
                            32)
                    .get();
            assertFalse(m.isCanceled(), m.getCancelReason());
            VolumeSpec spec = VolumeSpec.read(Sidecars.of(model));
            assertTrue(
                    spec.provenance().get("command").contains("on Image nuclei3d-1.tif"),
                    spec.provenance().toString());
            assertTrue(Math.abs(spec.zRatio() - 2.2) < 1e-9, "the stack's calibration: " + spec.zRatio());
            assertTrue(String.valueOf(m.getOutput("summary")).startsWith("trained on nuclei3d-1.tif"));

            ImagePlus cropped =
                    new ImagePlus("labels-cropped", labels.getStack().crop(0, 0, 0, 40, 40, labels.getNSlices()));
            CommandModule wrong = commands.run(
                            TrainSegmentation3dOnImageCommand.class,
                            true,
                            "image",
                            stack,
                            "labels",
                            cropped,
                            "output",
                            dir.resolve("other.onnx").toFile(),
                            "voxel",
                            "")
                    .get();
            assertTrue(
                    wrong.isCanceled() && wrong.getCancelReason().contains("must have its image's size"),
                    wrong.getCancelReason());
            assertFalse(Files.exists(dir.resolve("other.onnx")));
        }
    }
}
