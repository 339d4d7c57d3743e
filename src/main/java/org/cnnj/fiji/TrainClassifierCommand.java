package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
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
 * Plugins › CNN-J › Training › Train Classifier…: trains a classifier on a folder of class subfolders
 * ({@code cells/mitotic/*.tif}, …), a CSV of file,class, or images with ROI zips whose ROI names are the classes,
 * and writes the model (.onnx, .dense.onnx, .json), a training CSV, the validation confusion matrix (CSV) and
 * checkpoints. Per epoch: loss, accuracy, per-class precision/recall in the log and a live plot; Esc stops and keeps
 * the best model. Macro:
 * {@code run("Train Classifier...", "images=[/data/cells] rois=[] output=[/models/cells.onnx] architecture=resnet18 size=64 width=0.25 epochs=30");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train Classifier...", headless = true)
public class TrainClassifierCommand extends CnnjCommand {
    @Parameter(label = "Examples: folder of class subfolders, file,class CSV, or images with ROI zips")
    private File images;

    @Parameter(
            label = "ROI folder (only for images with ROI zips; empty: beside them)",
            style = "directory",
            required = false)
    private File rois;

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description =
                    "which channels of each image the classifier learns from, in which order: numbers from 1 or channel"
                            + " names (an RGB image's are red, green, blue); give the same when classifying")
    private String channels = "all";

    @Parameter(label = "Class names (comma-separated; empty: from the folders / CSV / ROI names)", required = false)
    private String classes = "";

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

    @Parameter(label = "Crop size S (pixels; images are scaled to S×S)", min = "16", max = "1024")
    private int size = 64;

    @Parameter(label = "Width (× the standard channel counts)", min = "0.05", max = "4")
    private double width = 0.25;

    @Parameter(label = "Epochs", min = "1")
    private int epochs = ClassifierTrainer.DEFAULTS.epochs();

    @Parameter(label = "Batch size", min = "1")
    private int batch = ClassifierTrainer.DEFAULTS.batch();

    @Parameter(label = "Learning rate")
    private double rate = ClassifierTrainer.DEFAULTS.learningRate();

    @Parameter(label = "Start from classifier (.onnx or cells (built-in), optional)", style = "open", required = false)
    private File from;

    @Parameter(label = "Freeze the features (train only the head)")
    private boolean freeze = false;

    @Parameter(label = "Resume an interrupted training")
    private boolean resume = false;

    @Override
    protected String title() {
        return "Train Classifier";
    }

    @Override
    protected String work() throws IOException {
        AtomicBoolean stop = new AtomicBoolean();
        TrainConfig d = ClassifierTrainer.DEFAULTS;
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, d.stepsPerEpoch())
                .withBatches(batch, d.patch())
                .withLearningRate(rate)
                .withValidation(d.validationFraction())
                .withPatience(d.patience())
                .withSeed(d.seed())
                .withFreezeEncoder(freeze);
        ClassifierTrainer.Result r = TrainClassifierFiles.train(
                TrainClassifierFiles.Options.of(images.toPath(), output.toPath())
                        .withRois(rois == null || rois.getPath().isEmpty() ? null : rois.toPath())
                        .withClasses(names(classes))
                        .withNetwork(Architecture.parse(architecture), width, ClassifierConfig.DEFAULT_DROPOUT)
                        .withCropping(new ClassifierCrops.Cropping(size, 0, false)
                                .withChannels(ChannelChoice.parse(channels)))
                        .withConfig(cfg, 0)
                        .withFrom(from == null || from.getPath().isEmpty() ? null : from.toPath(), resume)
                        .withCommandLine("Fiji: Train Classifier architecture=" + architecture + " size=" + size
                                + " width=" + width + " epochs=" + epochs),
                stop,
                trainingListener(output, false, stop));
        if (ResultsDisplay.available() && r.confusion() != null) // of the kept epoch (also M-confusion.csv)
        ResultsDisplay.showTable(ResultsDisplay.confusion(r.confusion()), "CNN-J Confusion Matrix");
        return String.format(
                Locale.ROOT,
                "%s after %d epoch(s)%s; model %s",
                r.outcome().bestScore(),
                r.epochsRun(),
                r.cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }
}
