package org.cnnj.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.det.DetectorKind;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MaskConfig;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.train.TrainConfig;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train Detector on Image...: trains a detector on the open image (each slice a
 * sample) with the boxes drawn in the ROI Manager — or, headless, from a ROI zip. The class of a box
 * is its name or group ("round", "round-2"). Progress bar, live plot, Esc keeps the best model.
 * Macro: {@code run("Train Detector on Image...", "output=[/models/cells.onnx] rois=[] epochs=10 steps=100");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train Detector on Image...", headless = true)
public class TrainDetectorOnImageCommand extends CnnjCommand {
    @Parameter(label = "Image")
    private ImagePlus image;

    @Parameter(label = "ROI zip (empty: the ROI Manager)", style = "open", required = false)
    private File rois;

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(label = "Channels (all, or e.g. 2,1 or DAPI)", description = Choices.CHANNELS_TRAIN)
    private String channels = "all";

    @Parameter(
            label = "Architecture",
            choices = {"two-stage", "one-stage"},
            description = TrainDetectorCommand.ARCHITECTURES)
    private String architecture = "two-stage";

    @Parameter(label = "Outline each object (mask head, Mask R-CNN; two-stage)", description = MASKS)
    private boolean masks = false;

    /** The masks field's help, shared with Train Detector on Folder. */
    static final String MASKS = "learn every object's outline beside its box, from outlined ROIs (polygon, freehand,"
            + " wand) or label images; detection then also writes a label image and outline ROIs";

    @Parameter(label = "Class names (comma-separated; empty: from the ROI names)", required = false)
    private String classes = "";

    @Parameter(
            label = "Anchor sizes in pixels (two-stage; comma-separated; empty: chosen from the boxes)",
            required = false)
    private String anchors = "";

    @Parameter(label = "Epochs", min = "1")
    private int epochs = DetectorTrainer.DEFAULTS.epochs();

    @Parameter(label = "Steps per epoch", min = "1")
    private int steps = DetectorTrainer.DEFAULTS.stepsPerEpoch();

    @Parameter(label = "Patch size (multiple of 4; one-stage: of 16)", min = "32")
    private int patch = DetectorTrainer.DEFAULTS.patch();

    @Parameter(
            label = "Image scale (resize the image before the network; 1 = as it is)",
            min = "0.125",
            max = "2",
            description = TrainDetectorCommand.IMAGE_SCALE)
    private double scale = 1;

    @Override
    protected String title() {
        return "Train Detector on Image";
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        List<Roi> boxes = imageRois(rois, image, "boxes", "add boxes to it (t)");
        AtomicBoolean stop = new AtomicBoolean();
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(4, patch)
                .withLearningRate(2e-3)
                .withValidation(0)
                .withPatience(4)
                .withSeed(1);
        DetectorTrainer.Result r = TrainDetectorFiles.trainOnImage(
                image,
                boxes,
                TrainDetectorFiles.Options.of(null, output.toPath())
                        .withClasses(names(classes))
                        .withConfig(cfg)
                        .withAnchors(TrainDetectorFiles.anchorSizes(anchors))
                        .withKind(DetectorKind.parse(architecture))
                        .withMasks(masks ? MaskConfig.defaults() : null)
                        .withChannels(ChannelChoice.parse(channels))
                        .withImageScale(scale)
                        .withCommandLine("Fiji: Train Detector on Image " + image.getTitle() + " epochs=" + epochs
                                + " steps=" + steps + " scale=" + scale),
                stop,
                trainingListener(output, true, stop));
        return String.format(
                Locale.ROOT,
                "trained on %s with %d boxes: %s after %d epoch(s)%s; model %s",
                image.getTitle(),
                boxes.size(),
                r.outcome().bestScore(),
                r.epochsRun(),
                r.cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }
}
