package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import java.util.Locale;
import org.cnnj.det.DetectorSpec;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.DetectFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Detection › Detect in Folder…: applies a detector to an image file or a folder of images and writes
 * rois.zip (rectangles named "class score"), detections.csv and overlay.tif per image. Headless-safe.
 * Macro: {@code run("Detect in Folder...", "model=[/models/cells.onnx] input=[/data/img.tif] output=[/data/out] score=0.5 nms=0.4 device=auto");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Detection>Detect in Folder...", headless = true)
public class DetectFolderCommand extends CnnjCommand {
    @Parameter(
            label = "Detector (.onnx, or cell shapes / blood cells (built-in))",
            style = "open",
            callback = "modelChanged")
    private File model = new File(BuiltInModels.CELL_SHAPES);

    @Parameter(label = "Image file or folder")
    private File input;

    @Parameter(label = "Output folder", style = "directory")
    private File output;

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description = "which channels of the image the model sees, in which order: numbers from 1 or channel"
                    + " names (an RGB image's are red, green, blue); all: every channel as it is")
    private String channels = "all";

    @Parameter(label = "Minimum score (0-1)", min = "0", max = "1")
    private double score = 0.5;

    @Parameter(label = "NMS overlap (IoU)", min = "0.01", max = "1")
    private double nms = 0.4;

    @Parameter(label = "Object diameter (px, auto or none)", description = Choices.DETECT_DIAMETER)
    private String diameter = "none";

    @Parameter(label = "Only these classes (comma-separated; empty: all)", required = false)
    private String classes = "";

    @Parameter(
            label = "Engine",
            choices = {"ort", "java"},
            description = Choices.ENGINE)
    private String engine = "ort";

    @Parameter(
            label = "Device",
            choices = {"auto", "cpu", "cuda"},
            description = Choices.DEVICE)
    private String device = "auto";

    @Parameter(label = "Threads (0 = all cores)", min = "0")
    private int threads = 0;

    @Parameter(label = "Tile size (px, 0 = from the memory available)", min = "0")
    private int tile = 0;

    /** What this command's fields ask for (the command line's detect fills the same fields). */
    public DetectFiles.Options request() {
        return DetectFiles.Options.of(model.toPath(), input.toPath(), output.toPath())
                .withEngine(EngineKind.parse(engine), Device.parse(device), threads)
                .withDetection(tile, (float) score, (float) nms)
                .withClasses(names(classes))
                .withChannels(ChannelChoice.parse(channels))
                .withSize(Diameter.parse(diameter));
    }

    @Override
    protected String title() {
        return "Detect";
    }

    @Override
    protected String work() throws IOException {
        long t0 = System.nanoTime();
        int found = DetectFiles.detect(request());
        return String.format(
                Locale.ROOT,
                "detected %d objects in %s with %s in %.1f s; results in %s",
                found,
                input.getName(),
                model.getName(),
                (System.nanoTime() - t0) / 1e9,
                output);
    }

    /** Dialog default: the score and NMS thresholds stored in the chosen detector's sidecar. */
    protected void modelChanged() {
        DetectorSpec spec = detectorSpecOrNull(model);
        if (spec == null) return; // not (yet) a detector: keep the current values; running will say what is wrong
        score = spec.scoreThreshold();
        nms = spec.nmsIou();
    }
}
