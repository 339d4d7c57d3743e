package org.cnnj.cli;

import java.io.IOException;
import org.cnnj.fiji.TrainDetectorCommand;
import org.cnnj.ij.TrainDetectorFiles;

/**
 * {@code ./cnnj train-det --images DIR [--rois DIR] --output M.onnx [options]}: the options of Fiji's Train Detector on
 * Folder command (same names, defaults and checks; --lr and --freeze-encoder are the dialog's rate and freeze). Pairs
 * X.tif with the ROI zip X.zip (or X-rois.zip); {@code --masks} adds Mask R-CNN's mask head (M.mask.onnx), learnt from
 * label images or outlined ROIs. Writes M.onnx, M.head.onnx, M.json, M-training.csv and checkpoints in
 * M-checkpoints/.
 */
final class TrainDetCommand {
    private TrainDetCommand() {}

    static int run(String[] args) throws IOException {
        TrainDetectorFiles.Options request = CommandLine.parse(
                        "train-det", TrainDetectorCommand.class, args, TrainSegCommand.ALIASES, CommandLine.Extras.NONE)
                .command()
                .request("./cnnj train-det " + String.join(" ", args));
        Interruptible.run(
                Interruptible.resumeCommand("train-det", args),
                cancel -> TrainDetectorFiles.train(request, cancel, new Console()));
        return 0;
    }
}
