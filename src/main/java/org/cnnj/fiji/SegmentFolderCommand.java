package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import java.util.Locale;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.ProbabilityObjects;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.Segmenter;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Segmentation › Segment Folder…: applies a model to an image file or a folder of images and writes
 * labels.tif, rois.zip, results.csv (and probabilities.tif) per image. Headless-safe (no dialogs or
 * windows beyond the parameter harvester). Macro:
 * {@code run("Segment Folder...", "model=[/path/nuclei.onnx] input=[/path/img.tif] output=[/path/out] engine=ort device=auto");}
 * Bad input cancels the command with a message naming the problem; Fiji keeps running.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Segmentation>Segment Folder...", headless = true)
public class SegmentFolderCommand extends CnnjCommand {
    @Parameter(label = "Model (.onnx, or nuclei (built-in))", style = "open")
    private File model = new File(BuiltInModels.NUCLEI);

    @Parameter(label = "Image file or folder")
    private File input;

    @Parameter(label = "Output folder", style = "directory")
    private File output;

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
            description = "auto: estimated from each image; images are resized so their objects"
                    + " match the model's object size, results come back at the image's size")
    private String diameter = "auto";

    @Parameter(label = "Save class probabilities")
    private boolean probabilities = false;

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

    @Parameter(label = "Threads (0 = all cores)", min = "0")
    private int threads = 0;

    @Parameter(label = "Tile size (px, 0 = from the memory available)", min = "0")
    private int tile = 0;

    /** What this command's fields ask for (the command line's segment fills the same fields). */
    public SegmentFiles.Options request(SegmentationModel.External external) {
        return SegmentFiles.Options.of(model.toPath(), input.toPath(), output.toPath())
                .withEngine(EngineKind.parse(engine), Device.parse(device), threads)
                .withRequest(new Segmenter.Request(
                                Diameter.parse(diameter),
                                probabilities,
                                tile,
                                new ProbabilityObjects(ProbabilityObjects.Method.parse(objects), threshold))
                        .withLinkedSlices(link))
                .withExternal(external)
                .withChannels(ChannelChoice.parse(channels));
    }

    @Override
    protected String title() {
        return "Segment";
    }

    @Override
    protected String work() throws IOException {
        long t0 = System.nanoTime();
        SegmentFiles.segment(request(SegmentationModel.External.DEFAULTS));
        return String.format(
                Locale.ROOT,
                "segmented %s with %s in %.1f s; results in %s",
                input.getName(),
                model.getName(),
                (System.nanoTime() - t0) / 1e9,
                output);
    }
}
