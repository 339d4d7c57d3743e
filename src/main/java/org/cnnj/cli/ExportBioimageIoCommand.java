package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import org.cnnj.ij.BioimageIoExport;

/**
 * {@code ./cnnj export-bioimageio --model M.onnx --output M.zip --name NAME --authors "A, B" [--license CC-BY-4.0]
 * [--description TEXT]}: a bioimage.io model package (spec 0.5) of a CNN-J segmentation model. Any command that takes
 * a model also takes such a package (a .zip, a folder, or its bioimageio.yaml / rdf.yaml, formats 0.4 and 0.5), e.g. {@code ./cnnj segment --model M.zip}.
 */
final class ExportBioimageIoCommand {
    private ExportBioimageIoCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "export-bioimageio",
                args,
                List.of("--model", "--output", "--name", "--authors", "--license", "--description"),
                List.of());
        o.require("--model", "--output", "--name", "--authors");
        BioimageIoExport.export(
                o.path("--model"),
                o.path("--output"),
                new BioimageIoExport.Description(
                        o.text("--name", null),
                        o.text("--description", ""),
                        o.list("--authors"),
                        o.text("--license", "CC-BY-4.0")));
        System.out.println("wrote the bioimage.io package " + o.path("--output"));
        return 0;
    }
}
