package org.cnnj.det;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.cnnj.nn.Module;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.runtime.OrtTraining;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.train.Prefetch;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingLoop;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;

/**
 * Trains a detector on images with boxes: augmented patches ({@link BoxSampler}), the four Faster R-CNN losses
 * ({@link DetectionLoss}) of a two-stage detector or the focal, centre-ness and GIoU losses ({@link OneStageLoss}) of a
 * one-stage one, AdamW with warm-up + cosine decay, validation mAP@0.5 after every epoch, early stopping, last/best
 * checkpoints, resume and cancel (the best model is kept).
 */
public final class DetectorTrainer {
    /** The best model (weights restored: a {@link Detector} or a {@link OneStageNetwork}), its sidecar, and how training ended. */
    public record Result(Module model, DetectorSpec spec, TrainingLoop.Outcome outcome) {
        public double bestValidationMap() {
            return outcome.best();
        }

        public int epochsRun() {
            return outcome.epochsRun();
        }

        public boolean cancelled() {
            return outcome.cancelled();
        }

        public boolean stoppedEarly() {
            return outcome.stoppedEarly();
        }

        public String diverged() {
            return outcome.diverged();
        }
    }

    /** A detector training's defaults (epochs, steps, batch, patch, learning rate, validation share, patience, seed): the CLI and the Fiji commands start from these. */
    public static final TrainConfig DEFAULTS = TrainConfig.defaults()
            .withSchedule(10, 100)
            .withBatches(4, 128)
            .withLearningRate(2e-3)
            .withValidation(0.2)
            .withPatience(4)
            .withSeed(1);

    /** Box IoU below which an object is said to fit no anchor: the RPN then learns it only from its single best anchor. */
    static final float POOR_ANCHOR_FIT = 0.4f;

    private DetectorTrainer() {}

    /**
     * Trains a two-stage detector of {@code architecture} with the basic augmentation; {@code warn} hears warnings
     * about the data (e.g. box sizes no anchor fits).
     */
    public static Result train(TrainingRun<AnnotatedImage> run, DetectorConfig architecture, Consumer<String> warn)
            throws IOException {
        return train(run, architecture, null, BoxAugmentation.BASIC, warn);
    }

    /**
     * Trains a two-stage detector with a mask head of {@code masks} (Mask R-CNN; null: boxes only) — every image then
     * needs its instance masks — on patches varied by {@code augmentation}.
     */
    public static Result train(
            TrainingRun<AnnotatedImage> run,
            DetectorConfig architecture,
            MaskConfig masks,
            BoxAugmentation augmentation,
            Consumer<String> warn)
            throws IOException {
        return trainTwoStage(run, architecture, masks, null, augmentation, warn);
    }

    /** Trains {@code architecture} with {@code masks}, or fine-tunes {@code start}, which keeps its own head(s). */
    private static Result trainTwoStage(
            TrainingRun<AnnotatedImage> run,
            DetectorConfig architecture,
            MaskConfig masks,
            Detector start,
            BoxAugmentation augmentation,
            Consumer<String> warn)
            throws IOException {
        List<AnnotatedImage> data = run.data();
        TrainConfig cfg = run.config();
        DetectorConfig arch = start != null ? start.config : architecture;
        MaskConfig maskConfig = start != null ? start.maskConfig : masks;
        check(data, arch, cfg);
        if (maskConfig != null) checkMasks(data);
        for (String w : anchorWarnings(data, arch)) if (warn != null) warn.accept(w);
        Rng rng = new Rng(cfg.seed());
        Patches patches = new Patches(TrainingLoop.split(data, cfg.validationFraction(), rng), augmentation);
        Detector net = start != null ? start : new Detector(arch, maskConfig, rng.split());
        DetectorSpec spec = DetectorSpec.of(arch, "model.head.onnx", run.provenance());
        if (maskConfig != null) spec = spec.withMasks(maskConfig);
        spec = spec.withObjectSize(medianBoxSide(data));
        run.config().engine().requireJava("the two-stage detector", TWO_STAGE_IN_JAVA, run.listener());
        return fit(
                run,
                patches,
                net,
                spec,
                rng,
                (x, b, lossRng) -> DetectionLoss.compute(net, x, b, lossRng).total(),
                null);
    }

    /** The median √(width · height) of the training boxes: the object size the detector learnt. */
    static float medianBoxSide(List<AnnotatedImage> data) {
        List<Float> sides = new ArrayList<>();
        for (AnnotatedImage d : data) {
            float[] b = d.boxes();
            for (int i = 0; i < d.objects(); i++)
                sides.add((float) Math.sqrt((b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1])));
        }
        if (sides.isEmpty()) return 0;
        sides.sort(null);
        return sides.get(sides.size() / 2);
    }

    /** A mask head learns outlines: every image must carry its objects' pixels, each object some. */
    static void checkMasks(List<AnnotatedImage> data) {
        for (AnnotatedImage d : data) {
            if (d.masks() == null)
                throw new IllegalArgumentException(d.name() + " has boxes but no outlines; a mask head (--masks) learns"
                        + " from instance label images (NAME-labels.tif) or outlined ROIs (polygon, freehand, wand)");
            int[] area = new int[d.objects() + 1];
            for (int id : d.masks()) if (id > 0 && id <= d.objects()) area[id]++;
            for (int i = 0; i < d.objects(); i++) {
                if (area[i + 1] == 0)
                    throw new IllegalArgumentException(d.name() + ": object " + (i + 1) + " has a box but no pixels in"
                            + " its outline; redraw it or delete it");
            }
        }
    }

    /** Trains a one-stage detector of {@code architecture}; patches must be multiples of 16. */
    public static Result trainOneStage(
            TrainingRun<AnnotatedImage> run, OneStageConfig architecture, BoxAugmentation augmentation)
            throws IOException {
        return trainOneStage(run, architecture, null, augmentation);
    }

    /** Trains {@code architecture}, or fine-tunes {@code start} (same classes). */
    private static Result trainOneStage(
            TrainingRun<AnnotatedImage> run,
            OneStageConfig architecture,
            OneStageNetwork start,
            BoxAugmentation augmentation)
            throws IOException {
        OneStageConfig arch = start != null ? start.config : architecture;
        check(run.data(), arch.inputChannels(), arch.classes(), OneStageConfig.STRIDES[1], run.config());
        Rng rng = new Rng(run.config().seed());
        Patches patches =
                new Patches(TrainingLoop.split(run.data(), run.config().validationFraction(), rng), augmentation);
        OneStageNetwork net = start != null ? start : new OneStageNetwork(arch, rng.split());
        DetectorSpec spec = DetectorSpec.of(arch, run.provenance()).withObjectSize(medianBoxSide(run.data()));
        TrainConfig cfg = run.config();
        int[] shape = {cfg.batch(), arch.inputChannels(), cfg.patch(), cfg.patch()};
        TrainingLoss loss =
                new TrainingLoss.OneStageDetection(arch.classCount(), OneStageLoss.ALPHA, OneStageLoss.GAMMA);
        Graph graph = new Graph(
                new TrainingGraph.Step(shape, loss, net::flat),
                b -> OneStageTargets.flat(arch, cfg.patch(), b.boxes(), b.classes()));
        return fit(
                run,
                patches,
                net,
                spec,
                rng,
                (x, b, lossRng) -> OneStageLoss.compute(net, x, b.boxes(), b.classes()),
                graph);
    }

    /** Fine-tunes the detector saved as {@code model} (either kind; same classes) on the run's data. */
    public static Result fineTune(
            TrainingRun<AnnotatedImage> run,
            Path model,
            DetectorSpec spec,
            BoxAugmentation augmentation,
            Consumer<String> warn)
            throws IOException {
        Module start = ObjectDetector.loadNetwork(model, spec);
        run = run.startedFrom(model, spec.provenance());
        return start instanceof OneStageNetwork one
                ? trainOneStage(run, null, one, augmentation)
                : trainTwoStage(run, null, null, (Detector) start, augmentation, warn);
    }

    /** A training step's loss for a batch of patches. */
    private interface Loss {
        Tensor of(Tensor images, BoxSampler.Batch batch, Rng rng);
    }

    /** The step as ONNX Runtime runs it (--train-engine ort): its graph, and the graph's targets for a batch. */
    private record Graph(TrainingGraph.Step step, Function<BoxSampler.Batch, Map<String, float[]>> targets) {}

    /** A batch of patches, with the graph's targets for it when ONNX Runtime trains (else null). */
    private record Feed(BoxSampler.Batch batch, Map<String, float[]> targets) {}

    /** Why the two-stage detector trains in Java only. */
    static final String TWO_STAGE_IN_JAVA = "its losses choose the second stage's targets from the first stage's"
            + " proposals in the middle of the step; the one-stage detector (--architecture one-stage) trains on either engine";

    /** The images split for training and validation, and how the training patches vary. */
    private record Patches(TrainingLoop.Split<AnnotatedImage> split, BoxAugmentation augmentation) {}

    /**
     * The shared loop: {@code rng} continues the seed's sequence after the split and the network's weights; {@code
     * graph} (null: Java only) is the step for ONNX Runtime where the run's engine takes it.
     */
    private static Result fit(
            TrainingRun<AnnotatedImage> run,
            Patches patches,
            Module net,
            DetectorSpec spec,
            Rng rng,
            Loss loss,
            Graph graph)
            throws IOException {
        TrainConfig cfg = run.config();
        if (cfg.freezeEncoder()) {
            net.children().forEach((name, m) -> m.setFrozen(name.startsWith("stem") || name.startsWith("stage")));
        }
        Adam adam = new Adam(net.parameters(), AdamConfig.adamW(cfg.learningRate(), 1e-4));
        long total = (long) cfg.epochs() * cfg.stepsPerEpoch();
        long warmup = Math.min(100, total / 10);
        LrSchedule schedule = new LrSchedule.Warmup(warmup, new LrSchedule.Cosine(Math.max(1, total - warmup), 0.05));
        TrainingLoop.Split<AnnotatedImage> split = patches.split();
        BoxSampler sampler = new BoxSampler(normalized(split.training(), spec), patches.augmentation(), rng.split());
        Rng lossRng = rng.split();
        TrainingLoop.Outcome end;
        // Before the batch thread starts: a model the graph cannot train fails here and leaves no thread behind.
        OrtTraining ort = graph == null ? null : cfg.engine().open(net, adam, graph.step(), run.listener());
        // The graph's targets are made on the batch thread too: the training thread only runs steps.
        try (ort;
                Prefetch<Feed> next = new Prefetch<>(() -> {
                    BoxSampler.Batch b = sampler.next(cfg.batch(), cfg.patch());
                    return new Feed(b, ort == null ? null : graph.targets().apply(b));
                })) {
            end = TrainingLoop.fit(run, net, adam, schedule, new TrainingLoop.Task() {
                public double step() {
                    Feed f = next.next();
                    BoxSampler.Batch b = f.batch();
                    if (ort != null) return ort.step(b.images(), f.targets());
                    Tensor x = Tensor.of(b.images(), cfg.batch(), sampler.channels(), cfg.patch(), cfg.patch());
                    Tensor total = loss.of(x, b, lossRng);
                    Autograd.backwardAndRelease(total);
                    return total.item();
                }

                public double validate() {
                    // A share of 0 trains on every image and scores no epoch (NaN: the last one is kept).
                    return run.scored() ? validationMap(net, spec, split.validation()) : Double.NaN;
                }

                public String metric() {
                    return "mAP@0.5";
                }

                public String checkpointKey() {
                    return "best_map";
                }
            });
        }
        return new Result(net, spec, end);
    }

    /**
     * mAP@0.5 of the detector on annotated images as they are (each resized by the detector's image scale first, as
     * detect does; low score threshold as AP needs the whole ranking).
     */
    public static MeanAveragePrecision.Result evaluate(ObjectDetector detector, List<AnnotatedImage> images) {
        return evaluate(detector, images, detector.spec().scale());
    }

    /** {@link #evaluate} resizing each image by {@code scale} (1: images already at the network's scale). */
    private static MeanAveragePrecision.Result evaluate(
            ObjectDetector detector, List<AnnotatedImage> images, double scale) {
        List<List<Detection>> found = new ArrayList<>();
        List<float[]> boxes = new ArrayList<>();
        List<int[]> classes = new ArrayList<>();
        DetectorSpec spec = detector.spec();
        ObjectDetector.Options o =
                ObjectDetector.Options.of(spec).withScoreThreshold(0.05f).withScale(scale);
        for (AnnotatedImage d : images) {
            found.add(detector.detect(d.channels(), d.width(), d.height(), o, null));
            boxes.add(d.boxes());
            classes.add(d.classes());
        }
        return MeanAveragePrecision.evaluate(
                found, boxes, classes, spec.classes().size(), 0.5f);
    }

    private static double validationMap(Module net, DetectorSpec spec, List<AnnotatedImage> validation) {
        try (ObjectDetector detector = ObjectDetector.java(net, spec)) {
            return evaluate(detector, validation, 1).mean(); // held out from the training images, resized with them
        }
    }

    private static List<AnnotatedImage> normalized(List<AnnotatedImage> images, DetectorSpec spec) {
        List<AnnotatedImage> out = new ArrayList<>();
        for (AnnotatedImage d : images) {
            float[][] channels = new float[d.channels().length][];
            for (int c = 0; c < channels.length; c++)
                channels[c] = spec.normalization().apply(d.channels()[c]);
            out.add(new AnnotatedImage(d.name(), channels, d.width(), d.height(), d.boxes(), d.classes(), d.masks()));
        }
        return out;
    }

    static void check(List<AnnotatedImage> data, DetectorConfig arch, TrainConfig cfg) {
        check(data, arch.inputChannels(), arch.classes(), DetectorConfig.STRIDE, cfg);
    }

    /** Refuses data the detector cannot learn from, naming the image and box; patches a multiple of {@code multiple}. */
    static void check(List<AnnotatedImage> data, int channels, List<String> classes, int multiple, TrainConfig cfg) {
        if (data.isEmpty()) throw new IllegalArgumentException("training: no annotated images were given");
        if (cfg.patch() % multiple != 0) {
            throw new IllegalArgumentException("training: patch " + cfg.patch() + " must be a multiple of " + multiple);
        }
        int boxes = 0;
        for (AnnotatedImage d : data) {
            if (d.channels().length != channels) {
                throw new IllegalArgumentException(d.name() + " has " + d.channels().length
                        + " channel(s) but the detector takes " + channels + "; give every image the same channels");
            }
            if (d.width() < cfg.patch() || d.height() < cfg.patch()) {
                throw new IllegalArgumentException(
                        d.name() + " is " + d.width() + "x" + d.height() + ", smaller than the " + cfg.patch()
                                + " px patch; choose a smaller patch (a multiple of " + multiple + ")");
            }
            for (int i = 0; i < d.objects(); i++) {
                float x1 = d.boxes()[4 * i],
                        y1 = d.boxes()[4 * i + 1],
                        x2 = d.boxes()[4 * i + 2],
                        y2 = d.boxes()[4 * i + 3];
                String where = String.format(
                        Locale.ROOT,
                        "%s: box %d (x=%.0f y=%.0f w=%.0f h=%.0f)",
                        d.name(),
                        i + 1,
                        x1,
                        y1,
                        x2 - x1,
                        y2 - y1);
                if (!(x2 - x1 >= 1 && y2 - y1 >= 1))
                    throw new IllegalArgumentException(where + " has zero size; delete or redraw that ROI");
                if (x1 < 0 || y1 < 0 || x2 > d.width() || y2 > d.height()) {
                    throw new IllegalArgumentException(where + " lies (partly) outside the " + d.width() + "x"
                            + d.height() + " image; ROIs must be drawn on this image (clip or delete it)");
                }
                int c = d.classes()[i];
                if (c < 0 || c >= classes.size())
                    throw new IllegalArgumentException(where + " has class index " + c + " of " + classes);
            }
            boxes += d.objects();
        }
        if (boxes == 0)
            throw new IllegalArgumentException(
                    "training: none of the images has any ROI (box); draw or load the objects first");
    }

    /** Box sizes no anchor shape fits well even when centred on the box: the RPN will hardly propose those objects. */
    public static List<String> anchorWarnings(List<AnnotatedImage> data, DetectorConfig arch) {
        Map<String, Integer> poor = new LinkedHashMap<>();
        float[] anchor = new float[4];
        for (AnnotatedImage d : data) {
            for (int i = 0; i < d.objects(); i++) {
                float[] b = d.boxes();
                float w = b[4 * i + 2] - b[4 * i], h = b[4 * i + 3] - b[4 * i + 1], best = 0;
                float[] centred = {0, 0, w, h};
                for (float s : arch.anchorSizes()) {
                    for (float r : arch.aspectRatios()) {
                        float aw = s / (float) Math.sqrt(r), ah = s * (float) Math.sqrt(r);
                        anchor[0] = 0.5f * (w - aw);
                        anchor[1] = 0.5f * (h - ah);
                        anchor[2] = anchor[0] + aw;
                        anchor[3] = anchor[1] + ah;
                        best = Math.max(best, Boxes.iou(anchor, 0, centred, 0));
                    }
                }
                if (best < POOR_ANCHOR_FIT) poor.merge(String.format(Locale.ROOT, "%.0fx%.0f", w, h), 1, Integer::sum);
            }
        }
        if (poor.isEmpty()) return List.of();
        return List.of("warning: "
                + poor.values().stream().mapToInt(Integer::intValue).sum() + " box(es) fit no anchor (IoU < "
                + POOR_ANCHOR_FIT + "), sizes "
                + String.join(", ", poor.keySet().stream().limit(10).toList())
                + "; the anchors are sizes " + Arrays.toString(arch.anchorSizes()) + " at ratios "
                + Arrays.toString(arch.aspectRatios())
                + ": add anchor sizes near these boxes (anchors=...)");
    }
}
