package org.cnnj.fiji;

import ij.ImagePlus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.VolumeTrainer;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train 3-D Segmentation on Image…: trains a 3-D U-Net on the open z-stack with its label
 * stack (another open image: object ids, 0 = background — drawn in Labkit, or a corrected CNN-J result), validated on
 * itself as the other on-image trainings are; the model (.onnx + .json with voxel and object size), checkpoints,
 * progress and plot as for the folder command; Esc keeps the best model. Macro: {@code run("Train 3-D Segmentation on
 * Image...", "image=stack.tif labels=stack-labels.tif output=[/models/mine3d.onnx] epochs=20 steps=50");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train 3-D Segmentation on Image...", headless = true)
public class TrainSegmentation3dOnImageCommand extends CnnjCommand {
    @Parameter(label = "Image (z-stack)")
    private ImagePlus image;

    @Parameter(label = "Label stack (open image: object ids, 0 = background)")
    private ImagePlus labels;

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(
            label = "Voxel size z,y,x (empty: the stack's calibration)",
            required = false,
            description = Choices.VOXEL)
    private String voxel = "";

    @Parameter(label = "Epochs", min = "1")
    private int epochs = 20;

    @Parameter(label = "Steps per epoch", min = "1")
    private int steps = 50;

    @Parameter(label = "Patch width and height (voxels; its depth follows the voxel size)", min = "16")
    private int patch = 64;

    @Override
    protected String title() {
        return "Train 3-D Segmentation on Image";
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        if (labels == null || labels == image)
            throw new IllegalArgumentException("choose the label stack of " + image.getTitle() + " (another open image"
                    + " with one id per object, 0 = background), e.g. from Labkit or a corrected CNN-J result");
        double[] size = voxel == null || voxel.isBlank() ? null : TrainSegmentation3dCommand.voxelSize(voxel);
        List<LabeledVolume> data = List.of(VolumeFiles.pair(image, labels, size));
        // One stack: it is validated on itself (no held-out share), as Train Segmentation on Image does.
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(2, patch)
                .withValidation(0);
        String command = "Fiji: Train 3-D Segmentation on Image " + image.getTitle() + " epochs=" + epochs + " steps="
                + steps + " patch=" + patch;
        AtomicBoolean stop = new AtomicBoolean();
        TrainingRun<LabeledVolume> run = VolumeFiles.run(data, cfg, command, Path.of(image.getTitle()), output.toPath())
                .withListener(trainingListener(output, true, stop));
        VolumeTrainer.Result r = VolumeFiles.train(run, VolumeTrainer.Recipe.defaults(), output.toPath(), stop);
        return String.format(
                Locale.ROOT,
                "trained on %s: AP@0.5 on itself %.4f after %d epoch(s)%s; model %s",
                image.getTitle(),
                r.outcome().best(),
                r.outcome().epochsRun(),
                r.outcome().cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }
}
