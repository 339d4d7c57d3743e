package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
