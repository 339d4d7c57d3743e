package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import org.cnnj.ij.DetectFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;

/**
 * {@code ./cnnj detect --model M.onnx --input IMG|DIR --output DIR [--engine ort|java]
 * [--device auto|cpu|cuda] [--threads N] [--tile N] [--score P] [--nms IOU] [--classes a,b]}.
 * Per image: rois.zip, detections.csv and overlay.tif; a folder of images gets one subfolder per image.
 */
final class DetectCommand {
    private DetectCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "detect",
                args,
                List.of(
                        "--model",
                        "--input",
                        "--output",
                        "--engine",
                        "--device",
                        "--threads",
                        "--tile",
                        "--score",
                        "--nms",
                        "--classes"),
                List.of());
        o.require("--model", "--input", "--output");
        EngineKind engine = EngineKind.parse(o.text("--engine", EngineKind.ORT.option()));
        DetectFiles.detect(new DetectFiles.Options(
                o.path("--model"),
                o.path("--input"),
                o.path("--output"),
                engine,
                Device.parse(o.text("--device", "auto")),
                o.integer("--threads", 0),
                o.integer("--tile", 0),
                (float) o.number("--score", Double.NaN),
                (float) o.number("--nms", Double.NaN),
                o.list("--classes")));
        return 0;
    }
}
