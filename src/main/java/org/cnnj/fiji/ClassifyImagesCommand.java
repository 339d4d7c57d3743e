package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.ClassifyFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Classification › Classify Images…: classifies an image file, a folder of images (each slice of a
 * stack is one image) or a folder of class subfolders (then also scored: accuracy and confusion.csv), writing
 * classes.csv (file, slice, class, probability of each class) into the output folder; optionally a dense
 * class-probability map per image. Headless-safe.
 * Macro: {@code run("Classify Images...", "model=[/models/cells.onnx] input=[/data/crops] output=[/data/out] dense=false device=auto");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Classification>Classify Images...", headless = true)
public class ClassifyImagesCommand extends CnnjCommand {
    @Parameter(label = "Classifier (.onnx, or cells (built-in))", style = "open")
    private File model = new File(BuiltInModels.CELLS);

    @Parameter(label = "Image file or folder")
    private File input;

    @Parameter(label = "Output folder", style = "directory")
    private File output;

    @Parameter(label = "Also a dense class map per image (model slid over it)")
    private boolean dense = false;

    @Parameter(
            label = "Channels (all, or e.g. 2,1 or DAPI)",
            description = "which channels of each image the classifier sees, in which order: numbers from 1 or channel"
                    + " names (an RGB image's are red, green, blue); the same as in training")
    private String channels = "all";

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

    @Override
    protected String title() {
        return "Classify Images";
    }

    @Override
    protected String work() throws IOException {
        ClassifyFiles.Summary s = ClassifyFiles.classify(
                ClassifyFiles.Options.of(model.toPath(), input.toPath(), output.toPath())
                        .withEngine(EngineKind.parse(engine), Device.parse(device), 0)
                        .withDense(dense)
                        .withChannels(ChannelChoice.parse(channels)),
                log::warn);
        return s.describe() + " with " + model.getName() + "; classes.csv in " + output;
    }
}
