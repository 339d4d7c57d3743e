package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.cnnj.catalog.ModelFiles;
import org.cnnj.ij.BioimageIoExport;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Models › Export Model...: copies a model with its sidecar (and a detector's head graph, a
 * classifier's dense graph) to a folder, e.g. to share it; or writes a segmentation model as a bioimage.io package
 * (FOLDER/NAME.zip: bioimageio.yaml 0.5, ONNX weights, test tensors, cover, README) for DeepImageJ, ilastik, QuPath. Macro:
 * {@code run("Export Model...", "model=[/models/nuclei.onnx] folder=[/share] format=[bioimage.io package] name=[Nuclei] authors=[Ada Lovelace] license=CC-BY-4.0");}
 * With weights=[float16 (half the size)] the CNN-J files store the large weights as 16-bit floats.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Models>Export Model...", headless = true)
public class ExportModelCommand extends CnnjCommand {
    @Parameter(label = "Model (.onnx, or a built-in model: nuclei (built-in), cells (built-in), ...)", style = "open")
    private File model;

    @Parameter(label = "Destination folder", style = "directory")
    private File folder;

    @Parameter(
            label = "Format",
            choices = {"CNN-J files", "bioimage.io package"},
            description = Choices.EXPORT_FORMAT)
    private String format = "CNN-J files";

    @Parameter(
            label = "Weights (CNN-J files)",
            choices = {"as trained (float32)", "float16 (half the size)"},
            description = Choices.EXPORT_WEIGHTS)
    private String weights = "as trained (float32)";

    @Parameter(label = "Name (bioimage.io)", required = false)
    private String name = "";

    @Parameter(label = "Authors (bioimage.io; comma-separated)", required = false)
    private String authors = "";

    @Parameter(label = "License (bioimage.io; an SPDX id such as CC-BY-4.0 or MIT)", required = false)
    private String license = "CC-BY-4.0";

    @Override
    protected String title() {
        return "Export Model";
    }

    @Override
    protected String work() throws IOException {
        if (format.startsWith("bioimage")) {
            String base = model.getName().replaceFirst("\\.onnx$", "");
            Path zip = folder.toPath().resolve(base + ".zip");
            BioimageIoExport.export(
                    model.toPath(),
                    zip,
                    new BioimageIoExport.Description(
                            name == null || name.isBlank() ? base : name, "", names(authors), license));
            return "wrote the bioimage.io package " + zip;
        }
        ModelFiles.Weights w = weights.startsWith("float16") ? ModelFiles.Weights.FLOAT16 : ModelFiles.Weights.AS_IS;
        return "exported " + model.getName() + " to " + ModelFiles.export(model.toPath(), folder.toPath(), w)
                + (w == ModelFiles.Weights.FLOAT16 ? " (weights as float16)" : "");
    }
}
