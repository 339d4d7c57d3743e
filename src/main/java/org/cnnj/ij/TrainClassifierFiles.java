package org.cnnj.ij;

import ij.ImagePlus;
import ij.gui.Roi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.cnnj.cls.Architecture;
import org.cnnj.cls.ClassifierConfig;
import org.cnnj.cls.ClassifierNetwork;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.cls.ClassifierTrainer;
import org.cnnj.cls.ImageClassifier;
import org.cnnj.cls.LabeledCrop;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingOutput;
import org.cnnj.train.TrainingRun;

/**
 * Trains a classifier on files (a folder of class subfolders, a file,class CSV, or images with ROI zips) or on an
 * open image with its ROIs, and writes M.onnx, M.dense.onnx, M.json, M-training.csv (one row per epoch),
 * M-confusion.csv (validation confusion matrix of the best epoch) and checkpoints in M-checkpoints/.
 */
public final class TrainClassifierFiles {
    /**
     * One classifier training.
     *
     * @param images   a folder of class subfolders, a .csv of file,class, or an image/folder of images with ROI zips
     * @param rois     folder of the ROI zips (null: beside the images)
     * @param classes  class names in model order, or empty: found in the data (sorted)
     * @param steps    optimizer steps per epoch, 0 = one pass over the training crops (config's own is replaced)
     * @param dropout  probability of the head's dropout layers (AlexNet, VGG, GoogLeNet, MobileNet)
     * @param from     a classifier to fine-tune (same classes; its architecture and crop size are kept), or null
     */
    public record Options(
            Path images,
            Path rois,
            Path output,
            List<String> classes,
            Architecture architecture,
            ClassifierCrops.Cropping cropping,
            double width,
            double dropout,
            TrainConfig config,
            int steps,
            ClassifierTrainer.Options training,
            Path from,
            boolean resume,
            String commandLine) {
        /** ResNet-18 at width 0.25 on 64 px crops, the classifier's default schedule; classes from the folders. */
        public static Options of(Path images, Path output) {
            return new Options(
                    images,
                    null,
                    output,
                    List.of(),
                    Architecture.RESNET18,
                    new ClassifierCrops.Cropping(64, 0, false),
                    0.25,
                    ClassifierConfig.DEFAULT_DROPOUT,
                    ClassifierTrainer.DEFAULTS,
                    0,
                    ClassifierTrainer.Options.DEFAULTS,
                    null,
                    false,
                    "");
        }

        /** ROI zips (NAME.zip, each ROI named by its class) in {@code folder} instead of one folder per class. */
        public Options withRois(Path folder) {
            return new Options(
                    images,
                    folder,
                    output,
                    classes,
                    architecture,
                    cropping,
                    width,
                    dropout,
                    config,
                    steps,
                    training,
                    from,
                    resume,
                    commandLine);
        }

        public Options withClasses(List<String> names) {
            return new Options(
                    images,
                    rois,
                    output,
                    names,
                    architecture,
                    cropping,
                    width,
                    dropout,
                    config,
                    steps,
                    training,
                    from,
                    resume,
                    commandLine);
        }

        /** A new network: {@code a} at {@code widthFactor} of its channels, with {@code dropoutRate} before its head. */
        public Options withNetwork(Architecture a, double widthFactor, double dropoutRate) {
            return new Options(
                    images,
                    rois,
                    output,
                    classes,
                    a,
                    cropping,
                    widthFactor,
                    dropoutRate,
                    config,
                    steps,
                    training,
                    from,
                    resume,
                    commandLine);
        }

        public Options withCropping(ClassifierCrops.Cropping c) {
            return new Options(
                    images,
                    rois,
                    output,
                    classes,
                    architecture,
                    c,
                    width,
                    dropout,
                    config,
                    steps,
                    training,
                    from,
                    resume,
                    commandLine);
        }

        /** The schedule; {@code stepsPerEpoch} 0: one pass over the crops per epoch. */
        public Options withConfig(TrainConfig c, int stepsPerEpoch) {
            return new Options(
                    images,
                    rois,
                    output,
                    classes,
                    architecture,
                    cropping,
                    width,
                    dropout,
                    c,
                    stepsPerEpoch,
                    training,
                    from,
                    resume,
                    commandLine);
        }

        public Options withTraining(ClassifierTrainer.Options t) {
            return new Options(
                    images,
                    rois,
                    output,
                    classes,
                    architecture,
                    cropping,
                    width,
                    dropout,
                    config,
                    steps,
                    t,
                    from,
                    resume,
                    commandLine);
        }

        public Options withFrom(Path model, boolean continueTraining) {
            return new Options(
                    images,
                    rois,
                    output,
                    classes,
                    architecture,
                    cropping,
                    width,
                    dropout,
                    config,
                    steps,
                    training,
                    model,
                    continueTraining,
                    commandLine);
        }

        public Options withCommandLine(String line) {
            return new Options(
                    images,
                    rois,
                    output,
                    classes,
                    architecture,
                    cropping,
                    width,
                    dropout,
                    config,
                    steps,
                    training,
                    from,
                    resume,
                    line);
        }
    }

    private TrainClassifierFiles() {}

    public static ClassifierTrainer.Result train(Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        Consumer<String> log = logOf(listener);
        Start start = start(o);
        ClassifierCrops.Loaded data = ClassifierCrops.load(o.images(), o.rois(), start.classes(), start.cropping());
        return trainOn(data, start, o, data.crops().size() + " examples from " + o.images(), cancel, listener, log);
    }

    /** Trains on an open image (every slice) with ROIs named by class; {@code o.images()} and {@code o.rois()} are unused. */
    public static ClassifierTrainer.Result trainOnImage(
            ImagePlus image, List<Roi> rois, Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        Consumer<String> log = logOf(listener);
        Start start = start(o);
        ClassifierCrops.Loaded data = ClassifierCrops.fromImage(image, rois, start.classes(), start.cropping());
        return trainOn(
                data, start, o, "image " + image.getTitle() + " with " + rois.size() + " ROIs", cancel, listener, log);
    }

    /**
     * The network to fine-tune with its file and sidecar (all null for a new model), the classes, and the cropping (the
     * model's crop size when fine-tuning).
     */
    private record Start(
            ClassifierNetwork model,
            List<String> classes,
            ClassifierCrops.Cropping cropping,
            Path file,
            ClassifierSpec spec) {}

    private static Start start(Options o) throws IOException {
        if (o.from() == null) return new Start(null, o.classes(), o.cropping(), null, null);
        Path file = BuiltInModels.file(o.from());
        ClassifierSpec from = ClassifierSpec.read(Sidecars.of(file));
        if (!o.classes().isEmpty() && !o.classes().equals(from.classes())) {
            throw new IllegalArgumentException("train-cls: the model to fine-tune knows the classes " + from.classes()
                    + ", not " + o.classes() + "; train with the same classes or start a new model");
        }
        // The model's own cropping: its crop size and mask channel are part of its input; a new window may be given.
        ClassifierCrops.Cropping c = new ClassifierCrops.Cropping(
                from.inputSize(),
                o.cropping().window() > 0 ? o.cropping().window() : from.roiWindow(),
                from.roiMask(),
                o.cropping().channels());
        return new Start(ImageClassifier.loadNetwork(file, from), from.classes(), c, file, from);
    }

    private static ClassifierTrainer.Result trainOn(
            ClassifierCrops.Loaded data,
            Start start,
            Options o,
            String source,
            AtomicBoolean cancel,
            TrainingListener listener,
            Consumer<String> log)
            throws IOException {
        Path output = o.output().toAbsolutePath();
        if (!output.getFileName().toString().endsWith(".onnx"))
            throw new IllegalArgumentException("train-cls: the output must name a .onnx file, got " + output);
        if (data.classes().size() < 2) {
            throw new IllegalArgumentException("train-cls: the examples are all of one class (" + data.classes()
                    + "); a classifier needs examples of at least two classes");
        }
        data.notes().forEach(log);
        int channels = data.crops().get(0).channels();
        ClassifierConfig arch = new ClassifierConfig(
                o.architecture(), channels, data.classes(), start.cropping().size(), o.width(), o.dropout());
        TrainConfig c = o.config();
        int trainCrops = (int) Math.round(data.crops().size() * (1 - c.validationFraction()));
        int steps = o.steps() > 0 ? o.steps() : Math.max(1, (trainCrops + c.batch() - 1) / c.batch());
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(c.epochs(), steps)
                .withBatches(c.batch(), Math.max(8, arch.inputSize()))
                .withLearningRate(c.learningRate())
                .withValidation(c.validationFraction())
                .withPatience(c.patience())
                .withSeed(c.seed())
                .withFreezeEncoder(c.freezeEncoder())
                .withEngine(c.engine());
        try (TrainingOutput out =
                TrainingOutput.open(output, o.resume(), "epoch,train_loss,validation_accuracy,seconds", "train-cls")) {
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("command", o.commandLine());
            provenance.put("examples", source);
            provenance.put("date", Instant.now().toString());
            if (start.cropping().channels() != ChannelChoice.ALL)
                provenance.put("channels", start.cropping().channels().option());
            TrainingListener both = out.recording(listener, log);
            TrainingRun<LabeledCrop> run = TrainingRun.of(data.crops(), cfg)
                    .withCheckpoints(out.checkpoints())
                    .withCancel(cancel)
                    .withListener(both)
                    .withProvenance(provenance);
            if (start.file() != null)
                run = run.startedFrom(start.file(), start.spec().provenance());
            ClassifierTrainer.Result r = ClassifierTrainer.train(run, arch, start.model(), o.training());
            ImageClassifier.save(
                    r.model(),
                    r.spec()
                            .withRoiCropping(
                                    start.cropping().window(), start.cropping().mask()),
                    output);
            Path confusionFile = output.resolveSibling(
                    output.getFileName().toString().replaceFirst("\\.onnx$", "") + "-confusion.csv");
            if (r.confusion() != null) {
                String confusion = r.confusion().csv();
                AtomicFiles.write(confusionFile, w -> w.write(confusion.getBytes(StandardCharsets.UTF_8)));
            } else {
                Files.deleteIfExists(confusionFile); // an earlier model's matrix would pass for this one's
            }
            if (r.diverged() != null) log.accept("training stopped: " + r.diverged());
            log.accept(String.format(
                    Locale.ROOT,
                    "%s after %d epoch(s)%s%s; model: %s",
                    r.outcome().bestScore(),
                    r.epochsRun(),
                    r.stoppedEarly() ? " (stopped early)" : "",
                    r.cancelled() ? " (cancelled; best model kept)" : "",
                    output));
            return r;
        }
    }

    /** Where a training's messages go: its listener, or standard error. */
    private static Consumer<String> logOf(TrainingListener listener) {
        return listener == null ? System.err::println : listener::log;
    }
}
