package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import org.cnnj.ij.TrainFiles;
import org.cnnj.model.SegmentationTask;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.train.TrainConfig;

/**
 * {@code ./cnnj train-seg --images DIR [--labels DIR] --output M.onnx [--task instances|semantic]
 * [--classes a,b,…] [--epochs N] [--steps N] [--batch N] [--patch N] [--lr X] [--validation F]
 * [--patience N] [--depth N] [--filters N] [--residual] [--dropout P] [--from M.onnx]
 * [--freeze-encoder] [--seed S] [--resume] [--elastic PX] [--diameter PX]}. {@code instances} (the default) trains the
 * three classes plus a distance map ({@code instances-3class}: the classes alone) with every image rescaled to one object
 * diameter (--diameter, default: the median of the images' own). Pairs image X.tif with X.tif in the labels folder, or with
 * X-labels.tif beside it; stacks give one sample per slice. Writes M.onnx + M.json, M-training.csv and
 * checkpoints in M-checkpoints/.
 */
final class TrainCommand {
    private TrainCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "train-seg",
                args,
                List.of(
                        "--images",
                        "--labels",
                        "--output",
                        "--task",
                        "--classes",
                        "--epochs",
                        "--steps",
                        "--batch",
                        "--patch",
                        "--lr",
                        "--validation",
                        "--patience",
                        "--depth",
                        "--filters",
                        "--dropout",
                        "--from",
                        "--seed",
                        "--elastic",
                        "--diameter"),
                List.of("--residual", "--freeze-encoder", "--resume"));
        o.require("--images", "--output");
        String task = SegmentationTask.parse(o.text("--task", SegmentationTask.INSTANCES.option()))
                .sidecar();
        TrainConfig cfg = config(o, TrainConfig.defaults());
        Interruptible.run(
                Interruptible.resumeCommand("train-seg", args),
                cancel -> TrainFiles.train(
                        new TrainFiles.Options(
                                o.path("--images"),
                                o.path("--labels"),
                                o.path("--output"),
                                task,
                                o.has("--classes") ? o.list("--classes") : null,
                                cfg,
                                o.integer("--depth", SegmentationTrainer.DEFAULT_DEPTH),
                                o.integer("--filters", SegmentationTrainer.DEFAULT_FILTERS),
                                o.has("--residual"),
                                (float) o.number("--dropout", 0),
                                o.path("--from"),
                                o.has("--resume"),
                                "./cnnj train-seg " + String.join(" ", args)),
                        cancel,
                        e -> System.out.println(e.line())));
        return 0;
    }

    /** The training options shared by train-seg and train-det, over the command's defaults. */
    static TrainConfig config(CliOptions o, TrainConfig d) {
        return new TrainConfig(
                o.integer("--epochs", d.epochs()),
                o.integer("--steps", d.stepsPerEpoch()),
                o.integer("--batch", d.batch()),
                o.integer("--patch", d.patch()),
                o.number("--lr", d.learningRate()),
                o.number("--validation", d.validationFraction()),
                o.integer("--patience", d.patience()),
                o.integer("--seed", (int) d.seed()),
                o.has("--freeze-encoder"),
                (float) o.number("--elastic", d.elastic()),
                o.number("--diameter", d.diameter()));
    }
}
