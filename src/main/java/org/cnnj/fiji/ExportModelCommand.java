package org.cnnj.fiji;

import java.io.File;
import java.io.IOException;
import org.cnnj.ij.ModelFiles;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Models › Export Model...: copies a model with its sidecar (and a detector's head graph) to a
 * folder, e.g. to share it. Macro: {@code run("Export Model...", "model=[/models/nuclei.onnx] folder=[/share]");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Models>Export Model...", headless = true)
public class ExportModelCommand extends CnnjCommand {
    @Parameter(label = "Model (.onnx)", style = "open")
    private File model;

    @Parameter(label = "Destination folder", style = "directory")
    private File folder;

    @Override
    protected String title() {
        return "Export Model";
    }

    @Override
    protected String work() throws IOException {
        return "exported " + model.getName() + " to " + ModelFiles.export(model.toPath(), folder.toPath());
    }
}
