package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import org.cnnj.cls.Architecture;
import org.cnnj.cls.ClassifierConfig;
import org.cnnj.cls.ClassifierTrainer;
import org.cnnj.cls.CropAugmentation;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.ClassifierCrops;
import org.cnnj.ij.TrainClassifierFiles;
import org.cnnj.model.Normalization;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;

/**
 * {@code ./cnnj train-cls --images DIR|FILE.csv --output M.onnx [--rois DIR] [--classes a,b] [--arch resnet18]
 * [--size 64] [--width 0.25] [--window 0] [--mask] [--epochs N] [--steps 0] [--batch N] [--lr X] [--validation F]
 * [--patience N] [--optimizer adamw|sgd] [--weight-decay X] [--label-smoothing X] [--no-balance] [--no-augment]
 * [--normalize percentile|none] [--from M.onnx] [--freeze-features] [--seed S] [--resume]}.
 */
final class TrainClsCommand {
    private TrainClsCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "train-cls",
                args,
                List.of(
                        "--images",
                        "--rois",
                        "--output",
                        "--classes",
                        "--arch",
                        "--size",
                        "--width",
                        "--dropout",
                        "--window",
                        "--epochs",
                        "--steps",
                        "--batch",
                        "--lr",
                        "--validation",
                        "--patience",
                        "--optimizer",
                        "--weight-decay",
                        "--label-smoothing",
                        "--normalize",
                        "--channels",
                        "--from",
                        "--seed",
                        "--train-engine"),
                List.of("--mask", "--no-balance", "--no-augment", "--freeze-features", "--resume"));
        o.require("--images", "--output");
        ClassifierTrainer.Options d = ClassifierTrainer.Options.DEFAULTS;
        ClassifierTrainer.Options training = new ClassifierTrainer.Options(
                ClassifierTrainer.OptimizerKind.parse(
                        o.text("--optimizer", d.optimizer().option())),
                o.number("--weight-decay", d.weightDecay()),
                o.number("--label-smoothing", d.labelSmoothing()),
                !o.has("--no-balance"),
                o.has("--no-augment") ? CropAugmentation.NONE : d.augmentation(),
                Normalization.of(NormalizationMethod.parse(
                        o.text("--normalize", d.normalization().method().option()))));
        TrainConfig c = ClassifierTrainer.DEFAULTS;
        TrainConfig config = TrainConfig.defaults()
                .withSchedule(o.integer("--epochs", c.epochs()), c.stepsPerEpoch())
                .withBatches( // replaced by --steps (0 = one pass over the training crops)
                        o.integer("--batch", c.batch()), c.patch())
                .withLearningRate(o.number("--lr", c.learningRate()))
                .withValidation(o.number("--validation", c.validationFraction()))
                .withPatience(o.integer("--patience", c.patience()))
                .withSeed(o.integer("--seed", (int) c.seed()))
                .withFreezeEncoder(o.has("--freeze-features"))
                .withEngine(TrainEngine.parse(o.text("--train-engine", "auto")));
        Interruptible.run(
                Interruptible.resumeCommand("train-cls", args),
                cancel -> TrainClassifierFiles.train(
                        TrainClassifierFiles.Options.of(o.path("--images"), o.path("--output"))
                                .withRois(o.path("--rois"))
                                .withClasses(o.list("--classes"))
                                .withNetwork(
                                        Architecture.parse(o.text("--arch", "resnet18")),
                                        o.number("--width", 0.25),
                                        o.number("--dropout", ClassifierConfig.DEFAULT_DROPOUT))
                                .withCropping(new ClassifierCrops.Cropping(
                                                o.integer("--size", 64), o.integer("--window", 0), o.has("--mask"))
                                        .withChannels(ChannelChoice.parse(o.text("--channels", "all"))))
                                .withConfig(config, o.integer("--steps", 0))
                                .withTraining(training)
                                .withFrom(o.path("--from"), o.has("--resume"))
                                .withCommandLine("./cnnj train-cls " + String.join(" ", args)),
                        cancel,
                        new Console()));
        return 0;
    }
}
