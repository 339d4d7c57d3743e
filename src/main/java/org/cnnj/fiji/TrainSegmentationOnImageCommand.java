package org.cnnj.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.train.TrainConfig;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train Segmentation on Image...: trains an instance-segmentation U-Net on the open
 * image (each slice a sample) with the objects outlined in the ROI Manager — or, headless, in a ROI
 * zip; each ROI is one object. Progress bar, live plot, Esc keeps the best model.
 * Macro: {@code run("Train Segmentation on Image...", "output=[/models/mine.onnx] rois=[] epochs=20 steps=50 patch=128");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train Segmentation on Image...", headless = true)
public class TrainSegmentationOnImageCommand extends CnnjCommand {
    @Parameter(label = "Image")
    private ImagePlus image;

    @Parameter(label = "ROI zip (empty: the ROI Manager)", style = "open", required = false)
    private File rois;

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(label = "Epochs", min = "1")
    private int epochs = TrainConfig.defaults().epochs();

    @Parameter(label = "Steps per epoch", min = "1")
    private int steps = TrainConfig.defaults().stepsPerEpoch();

    @Parameter(label = "Patch size (multiple of 8)", min = "16")
    private int patch = TrainConfig.defaults().patch();

    @Parameter(label = "Start from model (.onnx or nuclei (built-in), optional)", style = "open", required = false)
    private File from;

    @Override
    protected String title() {
        return "Train Segmentation on Image";
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        List<Roi> objects = imageRois(rois, image, "objects", "outline objects and add them (t)");
        AtomicBoolean stop = new AtomicBoolean();
        // One image: it is validated on itself (no held-out share).
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(TrainConfig.defaults().batch(), patch)
                .withValidation(0);
        SegmentationTrainer.Result r = TrainSegmentationFiles.trainOnImage(
                image,
                objects,
                TrainSegmentationFiles.Options.of(null, output.toPath())
                        .withConfig(cfg)
                        .withRecipe(SegmentationTrainer.Recipe.defaults()
                                .withFrom(from == null || from.getPath().isEmpty() ? null : from.toPath()))
                        .withCommandLine("Fiji: Train Segmentation on Image " + image.getTitle() + " epochs=" + epochs
                                + " steps=" + steps + " patch=" + patch),
                stop,
                trainingListener(output, true, stop));
        return String.format(
                Locale.ROOT,
                "trained on %s with %d objects: %s %.4f after %d epoch(s)%s; model %s",
                image.getTitle(),
                objects.size(),
                r.outcome().metric(),
                r.bestValidationScore(),
                r.epochsRun(),
                r.cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }
}
