package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.cnnj.seg.SegmentationEnsemble;
import org.cnnj.seg.SegmentationSpec;

/**
 * {@code ./cnnj ensemble --model A.onnx --model B.onnx [--model C.onnx] --output E.onnx [--weights 0.35,0.65]}:
 * segmentation models that take and give the same, averaged (weighted where asked) in one model file ({@link
 * SegmentationEnsemble}).
 */
final class EnsembleCommand {
    private EnsembleCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions("ensemble", args, List.of("--model", "--output", "--weights"), List.of());
        o.require("--model", "--output");
        var output = o.path("--output");
        SegmentationSpec spec = SegmentationEnsemble.write(o.paths("--model"), output, o.numbers("--weights"));
        System.out.printf(
                Locale.ROOT,
                "wrote %s (%.1f MB): %s%n  decodes with split depth %.2f; ./cnnj tune-seg --model %s --images DIR"
                        + " re-chooses it on annotated images%n",
                output,
                Files.size(output) / 1e6,
                spec.provenance().get(SegmentationEnsemble.PROVENANCE),
                spec.split(),
                output);
        return 0;
    }
}
