package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import org.cnnj.catalog.ModelReport;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Models › Model Info...: what a model file is (segmentation U-Net, detector, or an external
 * ONNX model), its inputs and outputs, classes, normalization, tiling, anchors and how it was trained.
 * Macro: {@code run("Model Info...", "model=[/models/nuclei.onnx]");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Models>Model Info...", headless = true)
public class ModelInfoCommand extends CnnjCommand {
    @Parameter(label = "Model (.onnx, or a built-in model: nuclei (built-in), cells (built-in), ...)", style = "open")
    private File model;

    @Override
    protected String title() {
        return "Model Info";
    }

    @Override
    protected String work() throws IOException {
        String report = ModelReport.describe(model.toPath());
        for (String line : report.split("\n")) log.info("CNN-J: " + line);
        return report;
    }
}
