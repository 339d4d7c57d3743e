package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainingListener;

/**
 * {@code ./cnnj train-det --images DIR [--rois DIR] --output M.onnx [--classes a,b] [--anchors 12,24,48]
 * [--epochs N] [--steps N] [--batch N] [--patch N] [--lr X] [--validation F] [--patience N]
 * [--from M.onnx] [--freeze-encoder] [--seed S] [--resume]}. Pairs X.tif with the ROI zip X.zip (or
 * X-rois.zip). Writes M.onnx, M.head.onnx, M.json, M-training.csv and checkpoints in M-checkpoints/.
 */
final class TrainDetectorCommand {
    /** Defaults for detection: 128-px patches, 4 per step. */
    private TrainDetectorCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "train-det",
                args,
                List.of(
                        "--images",
                        "--rois",
                        "--output",
                        "--classes",
                        "--anchors",
                        "--epochs",
                        "--steps",
                        "--batch",
                        "--patch",
                        "--lr",
                        "--validation",
                        "--patience",
                        "--from",
                        "--seed"),
                List.of("--freeze-encoder", "--resume"));
        o.require("--images", "--output");
        float[] anchors = TrainDetectorFiles.anchorSizes(o.text("--anchors", null));
        Interruptible.run(
                Interruptible.resumeCommand("train-det", args),
                cancel -> TrainDetectorFiles.train(
                        new TrainDetectorFiles.Options(
                                o.path("--images"),
                                o.path("--rois"),
                                o.path("--output"),
                                o.list("--classes"),
                                TrainCommand.config(o, DetectorTrainer.DEFAULTS),
                                anchors,
                                o.path("--from"),
                                o.has("--resume"),
                                "./cnnj train-det " + String.join(" ", args)),
                        cancel,
                        new TrainingListener() {
                            public void epoch(EpochReport e) {
                                System.out.println(e.line());
                            }
                        },
                        System.out::println));
        return 0;
    }
}
