package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.ClassifyFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;

/**
 * {@code ./cnnj classify --model M.onnx --input IMG|DIR --output DIR [--rois DIR] [--dense] [--engine ort|java]
 * [--device auto|cpu|cuda] [--threads N]}: classes.csv (+ rois.zip renamed and coloured by class with --rois,
 * confusion.csv for a folder of class subfolders, NAME-classes.tif maps with --dense).
 */
final class ClassifyCommand {
    private ClassifyCommand() {}

    static int run(String[] args) throws IOException {
        ClassifyFiles.Options options = options(args);
        ClassifyFiles.Summary s = ClassifyFiles.classify(options, System.err::println);
        System.out.println("classify: " + s.describe() + "; results in " + options.output());
        return 0;
    }

    /** The options {@code args} give, checked as the command checks them. */
    static ClassifyFiles.Options options(String[] args) {
        CliOptions o = new CliOptions(
                "classify",
                args,
                List.of("--model", "--input", "--output", "--rois", "--engine", "--device", "--threads", "--channels"),
                List.of("--dense"));
        o.require("--model", "--input", "--output");
        return ClassifyFiles.Options.of(o.path("--model"), o.path("--input"), o.path("--output"))
                .withRois(o.path("--rois"))
                .withEngine(
                        EngineKind.parse(o.text("--engine", EngineKind.ORT.option())),
                        Device.parse(o.text("--device", "auto")),
                        o.integer("--threads", 0))
                .withDense(o.has("--dense"))
                .withChannels(ChannelChoice.parse(o.text("--channels", "all")));
    }
}
