package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.cnnj.catalog.ModelFiles;

/**
 * {@code ./cnnj export-model --model M.onnx --folder DIR [--weights as-is|float16]}: the model with everything it
 * needs (sidecar, a detector's head graphs, a classifier's dense graph) copied into a folder, as Fiji's Export Model…
 * does; {@code --weights float16} stores the large weights as 16-bit floats (about half the files' size).
 */
final class ExportModelCommand {
    private ExportModelCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions("export-model", args, List.of("--model", "--folder", "--weights"), List.of());
        o.require("--model", "--folder");
        ModelFiles.Weights weights = weights(o.text("--weights", "as-is"));
        var model = o.path("--model");
        var copy = ModelFiles.export(model, o.path("--folder"), weights);
        System.out.printf(
                Locale.ROOT,
                "exported %s to %s (%.1f MB%s)%n",
                model.getFileName(),
                copy,
                Files.size(copy) / 1e6,
                weights == ModelFiles.Weights.FLOAT16 ? ", weights as float16" : "");
        return 0;
    }

    static ModelFiles.Weights weights(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "as-is", "float32" -> ModelFiles.Weights.AS_IS;
            case "float16", "half" -> ModelFiles.Weights.FLOAT16;
            default ->
                throw new IllegalArgumentException(
                        "export-model: --weights must be as-is (float32, as trained) or float16 (half the size), not "
                                + text);
        };
    }
}
