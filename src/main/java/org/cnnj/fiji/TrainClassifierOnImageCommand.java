package org.cnnj.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.cls.Architecture;
import org.cnnj.cls.ClassifierConfig;
import org.cnnj.cls.ClassifierTrainer;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.ClassifierCrops;
import org.cnnj.ij.ResultsDisplay;
import org.cnnj.ij.TrainClassifierFiles;
import org.cnnj.train.TrainConfig;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train Classifier on Image…: trains a classifier on the cells outlined in the open image
 * (the ROI Manager's ROIs, or a zip's), the class of each being its ROI name or group ("mitotic", "mitotic-2"): a
 * window of the given size around each ROI (optionally with the ROI's mask as an extra channel) is one example.
 * Macro: {@code run("Train Classifier on Image...", "output=[/models/cells.onnx] rois=[] architecture=resnet18 size=48 window=0 mask=false epochs=30");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train Classifier on Image...", headless = true)
public class TrainClassifierOnImageCommand extends CnnjCommand {
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
            choices = {
                "lenet5",
                "alexnet",
                "vgg11",
                "vgg13",
                "vgg16",
                "vgg19",
                "vgg11-bn",
                "vgg16-bn",
                "googlenet",
                "resnet18",
                "resnet34",
                "resnet50",
                "se-resnet18",
                "se-resnet50",
                "densenet121",
                "densenet169",
                "mobilenet-v1",
                "mobilenet-v2"
            },
            description = Choices.CLASSIFIER)
    private String architecture = "resnet18";

    @Parameter(label = "Crop size S (pixels)", min = "16", max = "1024")
    private int size = 48;

    @Parameter(label = "Window around each ROI (pixels; 0 = S), scaled to S", min = "0", max = "4096")
    private int window = 0;

    @Parameter(label = "Add the ROI's mask as a channel")
    private boolean mask = false;

    @Parameter(label = "Width (× the standard channel counts)", min = "0.05", max = "4")
    private double width = 0.25;

    @Parameter(label = "Epochs", min = "1")
    private int epochs = ClassifierTrainer.DEFAULTS.epochs();

    @Override
    protected String title() {
        return "Train Classifier on Image";
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        List<Roi> cells = imageRois(rois, image, "cells", "outline cells, name each ROI by its class and add it (t)");
        AtomicBoolean stop = new AtomicBoolean();
        TrainConfig d = ClassifierTrainer.DEFAULTS;
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, d.stepsPerEpoch())
                .withBatches(d.batch(), d.patch())
                .withLearningRate(d.learningRate())
                .withValidation(d.validationFraction())
                .withPatience(d.patience())
                .withSeed(d.seed());
        ClassifierTrainer.Result r = TrainClassifierFiles.trainOnImage(
                image,
                cells,
                TrainClassifierFiles.Options.of(null, output.toPath())
                        .withClasses(List.of())
                        .withNetwork(Architecture.parse(architecture), width, ClassifierConfig.DEFAULT_DROPOUT)
                        .withCropping(new ClassifierCrops.Cropping(size, window, mask)
                                .withChannels(ChannelChoice.parse(channels)))
                        .withConfig(cfg, 0)
                        .withCommandLine("Fiji: Train Classifier on Image " + image.getTitle() + " architecture="
                                + architecture + " size=" + size + " epochs=" + epochs),
                stop,
                trainingListener(output, false, stop));
        if (ResultsDisplay.available() && r.confusion() != null) // of the kept epoch (also M-confusion.csv)
        ResultsDisplay.showTable(ResultsDisplay.confusion(r.confusion()), "CNN-J Confusion Matrix");
        return String.format(
                Locale.ROOT,
                "trained on %d ROIs of %s: %s after %d epoch(s)%s; model %s",
                cells.size(),
                image.getTitle(),
                r.outcome().bestScore(),
                r.epochsRun(),
                r.cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }
}
