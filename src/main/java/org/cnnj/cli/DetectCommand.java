package org.cnnj.cli;

import java.io.IOException;
import java.util.Map;
import org.cnnj.fiji.DetectFolderCommand;
import org.cnnj.ij.DetectFiles;

/**
 * {@code ./cnnj detect --model M.onnx --input IMG|DIR --output DIR [--engine ort|java]
 * [--device auto|cpu|cuda] [--threads N] [--tile N] [--score P] [--nms IOU] [--classes a,b] [--diameter auto|PX|none]}.
 * Per image: rois.zip, detections.csv and overlay.tif (a detector with masks: outlines, and labels.tif); a folder of
 * images gets one subfolder per image. Its options
 * are those of Fiji's Detect in Folder command; score and NMS default to the detector's sidecar, as the dialog shows
 * when a detector is chosen.
 */
final class DetectCommand {
    private DetectCommand() {}

    static int run(String[] args) throws IOException {
        DetectFiles.detect(options(args));
        return 0;
    }

    /** The options {@code args} give, checked as the command checks them. */
    static DetectFiles.Options options(String[] args) {
        return CommandLine.parse("detect", DetectFolderCommand.class, args, Map.of(), CommandLine.Extras.NONE)
                .command()
                .request();
    }
}
