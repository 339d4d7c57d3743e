package org.cnnj.fiji;

import ij.ImagePlus;
import java.io.File;
import java.io.IOException;
import java.util.Locale;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.ObjectDetector;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.DetectFiles;
import org.cnnj.ij.ResultsDisplay;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.seg.Diameter;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Detection › Detect in Image...: detects objects in the open image (every slice/frame). With a
 * display: boxes named "class score" go to the ROI Manager and onto the image as an overlay coloured by
 * class, and a results table lists class, score, x, y, width, height. A detector with masks (Mask R-CNN) gives
 * outlines instead of boxes, area, perimeter and circularity in the table, and a label image. With an output folder
 * (required headless): rois.zip, detections.csv, overlay.tif (and labels.tif) there.
 * Macro: {@code run("Detect in Image...", "model=[/models/detector.onnx] score=0.5 nms=0.4");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Detection>Detect in Image...", headless = true)
public class DetectImageCommand extends CnnjCommand {
    @Parameter(label = "Image")
    private ImagePlus image;

    @Parameter(
            label = "Detector (.onnx, or cell shapes / blood cells (built-in))",
            style = "open",
            callback = "modelChanged")
    private File model = new File(BuiltInModels.CELL_SHAPES);

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description = "which channels of the image the model sees, in which order: numbers from 1 or channel"
                    + " names (an RGB image's are red, green, blue); all: every channel as it is")
    private String channels = "all";

    @Parameter(label = "Object diameter (px, auto or none)", description = Choices.DETECT_DIAMETER)
    private String diameter = "none";

    @Parameter(label = "Minimum score (0-1)", min = "0", max = "1")
    private double score = 0.5;

    @Parameter(label = "NMS overlap (IoU)", min = "0.01", max = "1")
    private double nms = 0.4;

    @Parameter(
            label = "Device",
            choices = {"auto", "cpu", "cuda"},
            description = Choices.DEVICE)
    private String device = "auto";

    @Parameter(
            label = "Rois in the ROI Manager: replace this image's earlier results, or append",
            choices = {"replace", "append"},
            description = Choices.ROIS)
    private String rois = "replace";

    @Parameter(
            label = "Labels: draw each box's class and score on the image",
            description = "off: boxes only, coloured by class (the ROI Manager and the table name them)")
    private boolean labels = false;

    @Parameter(label = "Also save to folder (optional; required headless)", style = "directory", required = false)
    private File output;

    /** A detector with masks (Mask R-CNN): the objects as a label image; null for boxes only. */
    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus labelImage;

    @Override
    protected String title() {
        return "Detect in Image";
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        if (output != null && output.getPath().isEmpty()) output = null;
        if (!ResultsDisplay.available() && output == null)
            throw new IllegalArgumentException("headless there is nothing to show results in; give output=[folder]");
        long t0 = System.nanoTime();
        DetectFiles.Output out;
        try (ObjectDetector detector = ObjectDetector.open(model.toPath(), Device.parse(device), 0, log::warn)) {
            ObjectDetector.Options d = ObjectDetector.Options.of(detector.spec());
            ImagePlus seen = ChannelChoice.parse(channels).apply(image, image.getTitle());
            ObjectDetector.Options o = DetectFiles.sized(
                    detector,
                    new ObjectDetector.Options(d.tile(), (float) score, (float) nms, d.maxDetections(), d.scale()),
                    Diameter.parse(diameter),
                    seen,
                    line -> log.info("CNN-J: " + line));
            out = DetectFiles.detect(detector, o, null, seen, image.getTitle());
        }
        if (output != null) DetectFiles.write(out, image, output.toPath(), image.getShortTitle());
        if (out.labels() != null) {
            labelImage = ResultsDisplay.styleLabels(out.labels());
            labelImage.setTitle(ResultsDisplay.uniqueTitle(image.getShortTitle() + "-labels"));
        }
        if (ResultsDisplay.available()) {
            ResultsDisplay.toRoiManager(
                    out.rois(),
                    image,
                    ResultsDisplay.RoiMode.parse(rois)); // first: the ROI Manager may redraw the overlay
            image.setOverlay(ResultsDisplay.outlines(out.rois(), labels));
            ResultsDisplay.showTable(ResultsDisplay.detections(out.rois()), "CNN-J Detections");
        }
        return String.format(
                Locale.ROOT,
                "%d objects in %s (%.1f s)%s",
                out.rois().size(),
                image.getTitle(),
                (System.nanoTime() - t0) / 1e9,
                output != null ? "; saved in " + output : "");
    }

    /** Dialog default: the score and NMS thresholds stored in the chosen detector's sidecar. */
    protected void modelChanged() {
        DetectorSpec spec = detectorSpecOrNull(model);
        if (spec == null) return; // not (yet) a detector: keep the current values; running will say what is wrong
        score = spec.scoreThreshold();
        nms = spec.nmsIou();
    }
}
