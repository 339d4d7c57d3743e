package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import org.cnnj.catalog.ModelFiles;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Models › Import Model...: takes a segmentation model exported elsewhere (one NCHW float
 * input, e.g. from PyTorch), checks it, and saves it with a sidecar holding its settings. Macro:
 * {@code run("Import Model...", "model=[/dl/unet.onnx] output=[/models/unet.onnx] classes=0 multiple=16 halo=32 normalize=percentile");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Models>Import Model...", headless = true)
public class ImportModelCommand extends CnnjCommand {
    @Parameter(
            label = "Model to import (.onnx, or a bioimage.io package: .zip, bioimageio.yaml or rdf.yaml)",
            style = "open")
    private File model;

    @Parameter(label = "Save as (.onnx)", style = "save")
    private File output;

    @Parameter(label = "Classes (0: from the model's output)", min = "0")
    private int classes = 0;

    @Parameter(label = "Tile multiple (2^depth for a U-Net)", min = "1")
    private int multiple = 16;

    @Parameter(label = "Halo (context pixels per tile side)", min = "0")
    private int halo = 32;

    @Parameter(
            label = "Normalization",
            choices = {"percentile", "none"},
            description = Choices.NORMALIZE)
    private String normalize = "percentile";

    @Override
    protected String title() {
        return "Import Model";
    }

    @Override
    protected String work() throws IOException {
        SegmentationSpec spec = ModelFiles.importModel(
                model.toPath(),
                output.toPath(),
                new SegmentationModel.External(classes, multiple, halo, NormalizationMethod.parse(normalize)));
        return "imported " + model.getName() + " as " + output + " ("
                + spec.classes().size() + " classes, tiles of multiples of " + spec.tileMultiple() + " px, halo "
                + spec.halo() + " px, " + spec.normalization().method().option() + " normalization)";
    }
}
