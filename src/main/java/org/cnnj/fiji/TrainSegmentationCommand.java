package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.ij.BoxAnnotations;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.seg.Augmentation;
import org.cnnj.seg.SegmentationEnsemble;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train Segmentation on Folder…: trains a U-Net on a folder of images with label images
 * (X.tif + X-labels.tif, or a separate labels folder), ROI zips or annotation tools' outlines, and writes the model (.onnx + .json sidecar),
 * a training CSV and per-epoch checkpoints. Progress goes to the log (epoch, loss, validation score, ETA);
 * Esc stops training at the next step and keeps the best model. Macro:
 * {@code run("Train Segmentation on Folder...", "images=[/data/imgs] labels=[] output=[/models/mine.onnx] task=instances epochs=20 steps=50 patch=128");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train Segmentation on Folder...", headless = true)
public class TrainSegmentationCommand extends CnnjCommand {
    @Parameter(label = "Images folder", style = "directory")
    private File images;

    @Parameter(
            label = "Labels folder (empty: X-labels.tif beside each image)",
            style = "directory",
            required = false,
            description = "label images (X.tif there, or beside each image X-labels.tif, Cellpose's X_masks.tif or"
                    + " X_seg.npy, QuPath's X-labelled.png, ilastik's X_Object Identities.h5; masks/X.tif beside images/), ROI zips (X.zip), or outlines from"
                    + " annotation tools: QuPath GeoJSON (X.geojson), labelme (X.json), COCO (.json: polygons or"
                    + " run-length masks), VIA or Label Studio (.json), CVAT (annotations.xml), YOLO-seg (X.txt +"
                    + " data.yaml)")
    private File labels;

    @Parameter(
            label = "Annotations",
            choices = {
                "auto",
                "labels",
                "rois",
                "geojson",
                "geojson-nuclei",
                "labelme",
                "coco",
                "via",
                "labelstudio",
                "cvat",
                "yolo"
            },
            description = "auto: whichever each image has (a label image first); " + Choices.GEOJSON_NUCLEI)
    private String annotations = "auto";

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description = "which channels of each image the network learns from, in which order: numbers from 1 or"
                    + " channel names; the model records them, give the same when segmenting")
    private String channels = "all";

    @Parameter(
            label = "Task",
            choices = {"instances", "instances-3class", "semantic"},
            description = "instances: objects separated by a distance map;"
                    + " instances-3class: background/interior/boundary only; semantic: one class per pixel")
    private String task = "instances";

    @Parameter(label = "Class names (semantic, comma-separated; empty: from the labels)", required = false)
    private String classes = "";

    @Parameter(
            label = "Object diameter to train for (px; 0 = the median of the labels)",
            min = "0",
            description = "every image is rescaled" + " so its objects have this size (instance tasks)")
    private double diameter = 0;

    @Parameter(label = "Epochs", min = "1")
    private int epochs = TrainConfig.defaults().epochs();

    @Parameter(label = "Steps per epoch", min = "1")
    private int steps = TrainConfig.defaults().stepsPerEpoch();

    @Parameter(label = "Patch size (multiple of 2^depth)", min = "8")
    private int patch = TrainConfig.defaults().patch();

    @Parameter(label = "Batch size", min = "1")
    private int batch = TrainConfig.defaults().batch();

    @Parameter(label = "U-Net depth", min = "1", max = "6")
    private int depth = SegmentationTrainer.DEFAULT_DEPTH;

    @Parameter(label = "Base filters", min = "1")
    private int filters = SegmentationTrainer.DEFAULT_FILTERS;

    @Parameter(label = "Learning rate")
    private double rate = TrainConfig.defaults().learningRate();

    @Parameter(label = "Elastic deformation (pixels, 0 = off)", min = "0", max = "49")
    private double elastic = 0;

    @Parameter(
            label = "Validation share (held-out images, 0-0.9)",
            min = "0",
            max = "0.9",
            description = "the share of the images held out to score each epoch and choose the best one and the split"
                    + " depth; 0: train on every image, score no epoch and keep the last (a few images: one held out"
                    + " chooses by chance)")
    private double validation = TrainConfig.defaults().validationFraction();

    @Parameter(
            label = "Keep the last epoch's model (else the best validated)",
            description = "for validation images of the sources trained on: choosing the best epoch by them would"
                    + " tune the model to those sources")
    private boolean last = false;

    @Parameter(
            label = "Validation images (folder or list; empty: the share above)",
            required = false,
            description = "images of a source not trained on (another lab, microscope or experiment): they choose the"
                    + " best epoch and the split depth")
    private File validate;

    @Parameter(
            label = "Imaging augmentation",
            choices = {"basic", "objects", "microscopes", "mild"},
            description = "basic: flips, rotations, size and a little brightness; objects: also uneven brightness"
                    + " between objects (dim nuclei beside bright ones); microscopes: also gamma, defocus, haze, noise"
                    + " and saturation, for a model that works on other labs' images (instance task); mild: the same"
                    + " effects on fewer patches, for long runs (dim, hazy and photon-starved nuclei)")
    private String augment = "basic";

    @Parameter(label = "Patience (stop after epochs without improvement; 0 = never)", min = "0")
    private int patience = TrainConfig.defaults().patience();

    @Parameter(label = "Random seed (same seed, same model)")
    private int seed = (int) TrainConfig.defaults().seed();

    /** The training-engine field's help, the same in every training dialog that has one. */
    static final String ENGINE_HELP = "java: CNN-J's own; ort: ONNX Runtime runs each whole training step, on the GPU"
            + " where CUDA works; auto: ort where CUDA works, else java";

    @Parameter(
            label = "Training engine",
            choices = {"auto", "java", "ort"},
            description = ENGINE_HELP)
    private String engine = "auto";

    @Parameter(label = "Residual blocks (new U-Net)")
    private boolean residual = false;

    @Parameter(label = "Dropout (new U-Net, 0-0.9)", min = "0", max = "0.9")
    private double dropout = 0;

    @Parameter(
            label = "Weight averaging (decay; 0 = off)",
            min = "0",
            max = "0.9999",
            description = "keep a moving average of the weights, e.g. 0.999, and save it instead of the last step's")
    private double average = TrainConfig.defaults().averaging();

    @Parameter(
            label = "Start from model (.onnx or nuclei (built-in), optional)",
            style = "open",
            required = false,
            callback = "fromChanged")
    private File from;

    @Parameter(label = "Freeze the encoder (fine-tuning)")
    private boolean freeze = false;

    @Parameter(label = "Resume an interrupted training")
    private boolean resume = false;

    /** What this command's fields ask for (the command line's train-seg fills the same fields); {@code command} goes into the sidecar's provenance. */
    public TrainSegmentationFiles.Options request(String command) {
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(batch, patch)
                .withLearningRate(rate)
                .withValidation(validation)
                .withPatience(patience)
                .withSeed(seed)
                .withFreezeEncoder(freeze)
                .withAveraging(average)
                .withKeepLast(last)
                .withEngine(TrainEngine.parse(engine));
        SegmentationTrainer.Recipe recipe = SegmentationTrainer.Recipe.defaults()
                .withTask(
                        SegmentationTask.parse(task),
                        classes == null || classes.isBlank() ? null : Arrays.asList(classes.split("\\s*,\\s*")))
                .withNetwork(depth, filters, residual, (float) dropout)
                .withFrom(from == null || from.getPath().isEmpty() ? null : from.toPath())
                .withAugmentation(Augmentation.parse(augment), (float) elastic)
                .withDiameter(diameter);
        return TrainSegmentationFiles.Options.of(images.toPath(), output.toPath())
                .withLabels(labels == null ? null : labels.toPath())
                .withValidationImages(validate == null || validate.getPath().isEmpty() ? null : validate.toPath())
                .withConfig(cfg)
                .withRecipe(recipe)
                .withResume(resume)
                .withCommandLine(command)
                .withChannels(ChannelChoice.parse(channels))
                .withAnnotations(BoxAnnotations.Format.parse(annotations));
    }

    @Override
    protected String title() {
        return "Train Segmentation";
    }

    @Override
    protected String work() throws IOException {
        AtomicBoolean stop = new AtomicBoolean();
        SegmentationTrainer.Result r = TrainSegmentationFiles.train(
                request("Fiji: Train Segmentation " + task + " epochs=" + epochs + " steps=" + steps + " patch="
                        + patch),
                stop,
                trainingListener(output, false, stop));
        return String.format(
                Locale.ROOT,
                "%s after %d epoch(s)%s; model %s",
                r.outcome().bestScore(),
                r.epochsRun(),
                r.cancelled() ? " (stopped by Esc; best model kept)" : "",
                output);
    }

    /**
     * Dialog defaults when a CNN-J model is chosen to start from: its task, object size and U-Net shape (an ensemble,
     * such as the built-in nuclei model, has no one shape: its graph is fine-tuned as it is), which fine-tuning keeps
     * (the trainer uses them whatever the fields say; the dialog shows the truth).
     */
    protected void fromChanged() {
        SegmentationSpec spec = modelSpecOrNull(from);
        if (spec == null || (spec.architecture() == null && !SegmentationEnsemble.isEnsemble(spec)))
            return; // not (yet) one of CNN-J's models: keep the current values
        task = spec.task().option();
        if (spec.objectDiameter() > 0) diameter = spec.objectDiameter();
        if (spec.architecture() != null) {
            depth = spec.architecture().depth();
            filters = spec.architecture().baseFilters();
        }
        if (spec.task() == SegmentationTask.SEMANTIC) classes = String.join(",", spec.classes());
    }
}
