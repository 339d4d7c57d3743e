package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.VolumeSpec;
import org.cnnj.seg.VolumeTrainer;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;
import org.cnnj.train.TrainingRun;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train 3-D Segmentation on Folder…: trains a 3-D U-Net (instances: foreground and a 3-D
 * distance map) on z-stacks with label stacks (X.tif + X-labels.tif, or a labels folder) and writes the model (.onnx +
 * .json with its voxel size and object size) and per-epoch checkpoints (MODEL-checkpoints/); progress and the plot as for 2-D training, Esc
 * stops at the next step and keeps the best model. Macro: {@code run("Train 3-D Segmentation on Folder...",
 * "images=[/data/stacks] output=[/models/nuclei3d.onnx] epochs=20 steps=50");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train 3-D Segmentation on Folder...", headless = true)
public class TrainSegmentation3dCommand extends CnnjCommand {
    @Parameter(label = "Stacks folder", style = "directory")
    private File images;

    @Parameter(
            label = "Label stacks folder (empty: X-labels.tif beside each stack)",
            style = "directory",
            required = false)
    private File labels;

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(
            label = "Voxel size z,y,x (empty: each stack's calibration)",
            required = false,
            description = Choices.VOXEL)
    private String voxel = "";

    @Parameter(label = "Epochs", min = "1")
    private int epochs = 20;

    @Parameter(label = "Steps per epoch", min = "1")
    private int steps = 50;

    @Parameter(label = "Batch", min = "1")
    private int batch = 2;

    @Parameter(label = "Patch width and height (voxels; its depth follows the voxel size)", min = "16")
    private int patch = 64;

    @Parameter(label = "U-Net depth (levels)", min = "1", max = "4")
    private int depth = 2;

    @Parameter(label = "Base filters", min = "2")
    private int filters = 16;

    @Parameter(label = "Object diameter to train for (xy voxels; 0 = the median of the labels)", min = "0")
    private double diameter = 0;

    @Parameter(
            label = "Training engine",
            choices = {"auto", "java", "ort"},
            description = TrainSegmentationCommand.ENGINE_HELP)
    private String engine = "auto";

    @Parameter(
            label = "Start from 3-D model (.onnx, optional)",
            style = "open",
            required = false,
            callback = "fromChanged",
            description = "fine-tune a CNN-J 3-D model (e.g. models/nuclei3d.onnx) on these stacks: it keeps its"
                    + " network, voxel ratio, object size and split depth; empty: a new network")
    private File from;

    @Override
    protected String title() {
        return "Train 3-D Segmentation";
    }

    @Override
    protected String work() throws IOException {
        double[] size = voxel == null || voxel.isBlank() ? null : voxelSize(voxel);
        List<LabeledVolume> data = VolumeFiles.load(images.toPath(), labels == null ? null : labels.toPath(), size);
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(batch, patch)
                .withValidation(0.2)
                .withEngine(TrainEngine.parse(engine));
        String command = "Fiji: Train 3-D Segmentation epochs=" + epochs + " steps=" + steps + " patch=" + patch;
        AtomicBoolean stop = new AtomicBoolean();
        TrainingRun<LabeledVolume> run = VolumeFiles.run(data, cfg, command, images.toPath(), output.toPath())
                .withListener(trainingListener(output, false, stop));
        VolumeTrainer.Result r = VolumeFiles.train(
                run,
                VolumeTrainer.Recipe.defaults()
                        .withNetwork(depth, filters)
                        .withDiameter(diameter)
                        .withFrom(from == null || from.getPath().isEmpty() ? null : from.toPath()),
                output.toPath(),
                stop);
        return String.format(
                Locale.ROOT,
                "%s after %d epoch(s)%s; model %s",
                r.outcome().bestScore(),
                r.outcome().epochsRun(),
                r.outcome().cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }

    /**
     * The model's U-Net shape and object size in the dialog when a 3-D model is chosen to start from: fine-tuning keeps
     * them whatever the fields say, so the dialog shows the truth.
     */
    protected void fromChanged() {
        if (from == null || !VolumeSpec.describes(from.toPath())) return;
        try {
            VolumeSpec spec = VolumeSpec.read(Sidecars.of(from.toPath()));
            depth = spec.architecture().depth();
            filters = spec.architecture().baseFilters();
            diameter = spec.objectDiameter();
        } catch (IOException | RuntimeException e) {
            // not (yet) a readable 3-D model: keep the current values; training names the problem
        }
    }

    /** "z,y,x" as three positive sizes. */
    public static double[] voxelSize(String text) {
        String[] parts = text.split(",");
        if (parts.length != 3)
            throw new IllegalArgumentException("voxel size: give three sizes z,y,x (e.g. 2.0,0.5,0.5), got " + text);
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("voxel size: \"" + parts[i].trim() + "\" is not a number (z,y,x)");
            }
            if (!(v[i] > 0)) throw new IllegalArgumentException("voxel size: sizes must be > 0, got " + parts[i]);
        }
        return v;
    }
}
