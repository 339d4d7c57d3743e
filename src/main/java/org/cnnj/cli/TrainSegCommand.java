package org.cnnj.cli;

import java.io.IOException;
import java.util.Map;
import org.cnnj.fiji.TrainSegmentationCommand;
import org.cnnj.ij.TrainSegmentationFiles;

/**
 * {@code ./cnnj train-seg --images DIR [--labels DIR] --output M.onnx [options]}: the options of Fiji's Train
 * Segmentation on Folder command (same names, defaults and checks; --lr and --freeze-encoder are the dialog's rate
 * and freeze). {@code instances} (the default) trains the three classes plus a distance map ({@code instances-3class}:
 * the classes alone) with every image rescaled to one object diameter (--diameter, default: the median of the images'
 * own). Pairs image X.tif with X.tif in the labels folder, or with X-labels.tif beside it; stacks give one sample per
 * slice. Writes M.onnx + M.json, M-training.csv and checkpoints in M-checkpoints/.
 */
final class TrainSegCommand {
    /** The command line's spellings of the training parameters the dialogs call rate and freeze. */
    static final Map<String, String> ALIASES =
            Map.of("lr", "rate", "freeze-encoder", "freeze", "train-engine", "engine");

    private TrainSegCommand() {}

    static int run(String[] args) throws IOException {
        TrainSegmentationFiles.Options request = CommandLine.parse(
                        "train-seg", TrainSegmentationCommand.class, args, ALIASES, CommandLine.Extras.NONE)
                .command()
                .request("./cnnj train-seg " + String.join(" ", args));
        Interruptible.run(
                Interruptible.resumeCommand("train-seg", args),
                cancel -> TrainSegmentationFiles.train(request, cancel, e -> System.out.println(e.line())));
        return 0;
    }
}
