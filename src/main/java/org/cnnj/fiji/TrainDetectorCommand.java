package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.det.BoxAugmentation;
import org.cnnj.det.DetectorKind;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MaskConfig;
import org.cnnj.ij.BoxAnnotations;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Training › Train Detector on Folder…: trains a two-stage or one-stage detector on a folder of images with ROI zips
 * (X.tif + X.zip; class = ROI name or group), with outlines per object where asked (Mask R-CNN) and writes the model (.onnx, .head.onnx, .json), a
 * training CSV and checkpoints. Progress bar per step, a log line per epoch (mAP@0.5, ETA); Esc stops
 * and keeps the best model. Macro:
 * {@code run("Train Detector on Folder...", "images=[/data/scenes] rois=[] output=[/models/cells.onnx] epochs=10 steps=100 patch=128");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Training>Train Detector on Folder...", headless = true)
public class TrainDetectorCommand extends CnnjCommand {
    @Parameter(label = "Images folder", style = "directory")
    private File images;

    @Parameter(
            label = "Boxes folder (empty: beside each image)",
            style = "directory",
            required = false,
            description =
                    "ROI zips (X.zip), label images (X-labels.tif, Cellpose's X_masks.png or X_seg.npy, ilastik's X_Object Identities.h5), or boxes and outlines from annotation"
                            + " tools: Pascal VOC (X.xml; for a VOC dataset's JPEGImages its Annotations folder), QuPath GeoJSON (X.geojson), labelme (X.json), YOLO or YOLO-seg"
                            + " (X.txt + data.yaml), COCO (.json: boxes, polygons, run-length masks), VIA or Label Studio"
                            + " (.json), CVAT (annotations.xml) or CSV")
    private File rois;

    @Parameter(
            label = "Annotations",
            choices = {
                "auto",
                "rois",
                "labels",
                "voc",
                "geojson",
                "geojson-nuclei",
                "labelme",
                "coco",
                "via",
                "labelstudio",
                "cvat",
                "yolo",
                "csv"
            },
            description = "auto: whichever the folder holds for each image; " + Choices.GEOJSON_NUCLEI)
    private String annotations = "auto";

    @Parameter(label = "Model to write (.onnx)", style = "save")
    private File output;

    @Parameter(
            label = "Architecture",
            choices = {"two-stage", "one-stage"},
            description = ARCHITECTURES)
    private String architecture = "two-stage";

    @Parameter(
            label = "Outline each object (mask head, Mask R-CNN; two-stage)",
            description = TrainDetectorOnImageCommand.MASKS)
    private boolean masks = false;

    /** The Architecture field's help, shared with Train Detector on Image. */
    static final String ARCHITECTURES = "two-stage (Faster R-CNN style): most accurate on small crowded objects;"
            + " one-stage (FCOS style, after YOLO/SSD): one network run, no anchors, faster";

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description = "which channels of each image the detector learns from, in which order: numbers from 1 or"
                    + " channel names (an RGB image's are red, green, blue); give the same when detecting")
    private String channels = "all";

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
            label = "Image scale (resize images before the network; 1 = as they are)",
            min = "0.125",
            max = "2",
            description = IMAGE_SCALE)
    private double scale = 1;

    /** The image scale field's help, shared with Train Detector on Image. */
    static final String IMAGE_SCALE = "0.5: the network sees half the pixels in each direction, 4x faster to train and"
            + " to apply, for objects far larger than the network needs (blood cells of 100 px: docs/detection.md);"
            + " recorded in the model, which resizes every image alike when detecting";

    @Parameter(label = "Batch size", min = "1")
    private int batch = DetectorTrainer.DEFAULTS.batch();

    @Parameter(label = "Learning rate")
    private double rate = DetectorTrainer.DEFAULTS.learningRate();

    @Parameter(
            label = "Validation share (held-out images, 0-0.9)",
            min = "0",
            max = "0.9",
            description = "the share of the images held out to score each epoch (mAP@0.5) and keep the best one; 0:"
                    + " train on every image, score no epoch and keep the last")
    private double validation = DetectorTrainer.DEFAULTS.validationFraction();

    @Parameter(
            label = "Keep the last epoch's model (else the best validated)",
            description = "a few validation images choose the best epoch by chance: on blood smears the epoch that"
                    + " scored best on 20 held-out photographs was worse on 87 others than the last (0.835 vs 0.870"
                    + " mAP@0.5)")
    private boolean last = false;

    @Parameter(label = "Patience (stop after epochs without improvement; 0 = never)", min = "0")
    private int patience = DetectorTrainer.DEFAULTS.patience();

    @Parameter(label = "Random seed (same seed, same model)")
    private int seed = (int) DetectorTrainer.DEFAULTS.seed();

    @Parameter(
            label = "Training engine (ort: one-stage only)",
            choices = {"auto", "java", "ort"},
            description = TrainSegmentationCommand.ENGINE_HELP + "; the two-stage detector trains in java")
    private String engine = "auto";

    @Parameter(
            label = "Augmentation",
            choices = {"basic", "scale", "colour-and-scale"},
            description = "basic: flips, rotations and brightness; scale: also the objects' size (±25%: another"
                    + " magnification, a resized export; the built-in blood-cell detector's); colour-and-scale: also"
                    + " each channel's colour (on blood smears of one stain it scored lower: docs/detection.md)")
    private String augment = "basic";

    @Parameter(
            label = "Weight averaging (decay; 0 = off)",
            min = "0",
            max = "0.9999",
            description = "keep a moving average of the weights, e.g. 0.999, and save it instead of the last step's")
    private double average = DetectorTrainer.DEFAULTS.averaging();

    @Parameter(
            label = "Start from detector (.onnx, cell shapes or blood cells (built-in), optional)",
            style = "open",
            required = false)
    private File from;

    @Parameter(label = "Freeze the backbone (fine-tuning)")
    private boolean freeze = false;

    @Parameter(label = "Resume an interrupted training")
    private boolean resume = false;

    /** What this command's fields ask for (the command line's train-det fills the same fields); {@code command} goes into the sidecar's provenance. */
    public TrainDetectorFiles.Options request(String command) {
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
        return TrainDetectorFiles.Options.of(images.toPath(), output.toPath())
                .withRois(rois == null ? null : rois.toPath())
                .withClasses(names(classes))
                .withConfig(cfg)
                .withAnchors(TrainDetectorFiles.anchorSizes(anchors))
                .withFrom(from == null || from.getPath().isEmpty() ? null : from.toPath(), resume)
                .withCommandLine(command)
                .withAnnotations(BoxAnnotations.Format.parse(annotations))
                .withKind(DetectorKind.parse(architecture))
                .withMasks(masks ? MaskConfig.defaults() : null)
                .withChannels(ChannelChoice.parse(channels))
                .withAugmentation(BoxAugmentation.parse(augment))
                .withImageScale(scale);
    }

    @Override
    protected String title() {
        return "Train Detector";
    }

    @Override
    protected String work() throws IOException {
        AtomicBoolean stop = new AtomicBoolean();
        DetectorTrainer.Result r = TrainDetectorFiles.train(
                request("Fiji: Train Detector epochs=" + epochs + " steps=" + steps + " patch=" + patch),
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
}
