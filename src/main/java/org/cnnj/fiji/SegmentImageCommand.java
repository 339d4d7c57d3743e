package org.cnnj.fiji;

import ij.ImagePlus;
import java.io.File;
import java.io.IOException;
import java.util.Locale;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.ResultsDisplay;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.Stacks;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.ProbabilityObjects;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.VolumeSegmenter;
import org.cnnj.seg.VolumeSpec;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Segmentation › Segment Image...: segments the open image (every slice/frame, positions kept). With a
 * display: the label image opens with a label LUT, objects go to the ROI Manager, their outlines onto the
 * image as an overlay, measurements into a results table. With an output folder (required headless):
 * labels.tif, rois.zip, results.csv there. Macro: {@code run("Segment Image...", "model=[/models/nuclei.onnx] output=[]");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Segmentation>Segment Image...", headless = true)
public class SegmentImageCommand extends CnnjCommand {
    @Parameter(label = "Image")
    private ImagePlus image;

    @Parameter(label = "Model (.onnx, or nuclei (built-in))", style = "open")
    private File model = new File(BuiltInModels.NUCLEI);

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

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description = "which channels of the image the model sees, in which order: numbers from 1 or channel"
                    + " names (an RGB image's are red, green, blue); all: every channel as it is")
    private String channels = "all";

    @Parameter(
            label = "Object diameter (px, auto or none)",
            description = "auto: estimated from the image; the image is resized so its objects"
                    + " match the model's object size, results come back at the image's size")
    private String diameter = "auto";

    @Parameter(
            label = "Objects from probabilities",
            choices = {"auto", "connected", "watershed", "none"},
            description = Choices.OBJECTS)
    private String objects = "auto";

    @Parameter(label = "Probability threshold", min = "0.01", max = "0.99", stepSize = "0.05")
    private double threshold = 0.5;

    @Parameter(
            label = "Link slices into 3-D objects (stacks, 2-D model)",
            description = "a 2-D model segments a stack slice by slice; linked, objects of consecutive slices that"
                    + " overlap (IoU >= 0.3) become one 3-D object. A 3-D model segments in 3-D and ignores this")
    private boolean link = false;

    @Parameter(
            label = "Rois in the ROI Manager: replace this image's earlier results, or append",
            choices = {"replace", "append"},
            description = Choices.ROIS)
    private String rois = "replace";

    @Parameter(label = "Numbers: draw object numbers on the overlay")
    private boolean numbers = false;

    @Parameter(
            label = "Show the 3-D objects turning (3-D model)",
            description = "a 3-D model's objects seen from around: 36 colour frames turning about the vertical axis,"
                    + " nearer surfaces brighter (Image › Stacks › Animation plays them); no 3-D viewer needed")
    private boolean turning = true;

    @Parameter(label = "Also save to folder (optional; required headless)", style = "directory", required = false)
    private File output;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus labels;

    /** A 3-D model's objects turning (null otherwise). */
    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus view;

    @Override
    protected String title() {
        return "Segment Image";
    }

    /** A 3-D model: the stack (its first time point) segmented in 3-D; results as for 2-D, ROIs per slice. */
    private String volume(long t0) throws IOException {
        if (!Stacks.isVolume(image))
            throw new IllegalArgumentException(model.getName() + " is a 3-D model and " + image.getTitle() + " has"
                    + " one slice; open the z-stack, or choose a 2-D model (e.g. nuclei (built-in))");
        VolumeFiles.Output out;
        VolumeSegmenter s =
                VolumeSegmenter.open(model.toPath(), EngineKind.parse(engine), Device.parse(device), 0, log::warn);
        try {
            ImagePlus chosen = ChannelChoice.parse(channels).apply(image, image.getTitle());
            Diameter d = Diameter.parse(diameter);
            out = VolumeFiles.segment(
                    s,
                    chosen,
                    VolumeSegmenter.Options.defaults().withDiameter(d.pixels()),
                    null,
                    line -> log.info("CNN-J: " + line));
        } finally {
            s.engine().close();
        }
        if (output != null) VolumeFiles.write(out, output.toPath());
        labels = ResultsDisplay.styleLabels(out.labels());
        labels.setTitle(ResultsDisplay.uniqueTitle(labels.getTitle()));
        if (ResultsDisplay.available()) {
            ResultsDisplay.toRoiManager(out.rois(), image, ResultsDisplay.RoiMode.parse(rois));
            ResultsDisplay.overlay(image, out.rois(), numbers); // each slice shows its objects' outlines
            ResultsDisplay.showTable(VolumeFiles.table(out.rows(), out.unit()), "CNN-J 3-D Results");
            if (turning && out.objects() > 0) {
                view = ResultsDisplay.turning(labels); // an output: shown beside the image, as the labels
                view.setTitle(ResultsDisplay.uniqueTitle(view.getTitle()));
            }
        }
        return String.format(
                Locale.ROOT,
                "%d 3-D objects in %s (%.1f s)%s",
                out.objects(),
                image.getTitle(),
                (System.nanoTime() - t0) / 1e9,
                output != null ? "; saved in " + output : "");
    }

    @Override
    protected String work() throws IOException {
        requireImage(image);
        if (output != null && output.getPath().isEmpty()) output = null;
        if (!ResultsDisplay.available() && output == null)
            throw new IllegalArgumentException("headless there is nothing to show results in; give output=[folder]");
        long t0 = System.nanoTime();
        if (VolumeSpec.describes(model.toPath())) return volume(t0);
        SegmentFiles.Output out;
        try (Segmenter s =
                Segmenter.open(model.toPath(), EngineKind.parse(engine), Device.parse(device), 0, log::warn)) {
            out = SegmentFiles.segment(
                    s,
                    new Segmenter.Request(
                                    Diameter.parse(diameter),
                                    false,
                                    Segmenter.DEFAULT_TILE,
                                    new ProbabilityObjects(ProbabilityObjects.Method.parse(objects), threshold))
                            .withLinkedSlices(link),
                    ChannelChoice.parse(channels).apply(image, image.getTitle()),
                    image.getTitle(),
                    line -> log.info("CNN-J: " + line));
        }
        if (output != null) {
            SegmentFiles.write(out, image.getCalibration(), output.toPath());
            ImagePlus outlined =
                    image.duplicate(); // the overlay travels inside the TIFF (headless: no window to draw it on)
            ResultsDisplay.overlay(outlined, out.rois(), numbers);
            Tiffs.save(outlined, output.toPath().resolve("overlay.tif"));
        }
        labels = ResultsDisplay.styleLabels(out.labels());
        labels.setTitle(ResultsDisplay.uniqueTitle(labels.getTitle()));
        if (ResultsDisplay.available()) {
            ResultsDisplay.toRoiManager(
                    out.rois(),
                    image,
                    ResultsDisplay.RoiMode.parse(rois)); // first: the ROI Manager may redraw the overlay
            ResultsDisplay.overlay(image, out.rois(), numbers);
            ResultsDisplay.showTable(
                    ResultsDisplay.measurements(
                            out.rows(),
                            image.getCalibration().scaled()
                                    ? image.getCalibration().getUnit()
                                    : "pixel"),
                    "CNN-J Results");
        }
        return String.format(
                Locale.ROOT,
                "%d objects in %s (%.1f s)%s",
                out.objects(),
                image.getTitle(),
                (System.nanoTime() - t0) / 1e9,
                output != null ? "; saved in " + output : "");
    }
}
