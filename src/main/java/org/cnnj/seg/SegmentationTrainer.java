package org.cnnj.seg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.cnnj.data.PatchSampler;
import org.cnnj.loss.BceWithLogits;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.model.Normalization;
import org.cnnj.nn.Module;
import org.cnnj.onnx.GraphAverage;
import org.cnnj.onnx.GraphNetwork;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.ops.Add;
import org.cnnj.ops.Narrow;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtTraining;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.train.Prefetch;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingLoop;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;

/**
 * Trains a U-Net for semantic or instance (background / interior / boundary) segmentation on labelled
 * images: patch sampling with augmentation, percentile normalization, Adam with warm-up + cosine,
 * validation IoU after every epoch, early stopping, a checkpoint every epoch (last.ckpt, best.ckpt),
 * resume from last.ckpt, and cancel at any step (the best model so far is kept).
 */
public final class SegmentationTrainer {
    /** The best model (weights restored), its sidecar, and how training ended. */
    public record Result(Module model, SegmentationSpec spec, TrainingLoop.Outcome outcome) {
        public double bestValidationScore() {
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

    private SegmentationTrainer() {}

    /** A new U-Net's default depth and base filters (the CLI and the Fiji commands start from these; the schedule's defaults are {@link TrainConfig#defaults()}). */
    public static final int DEFAULT_DEPTH = 3, DEFAULT_FILTERS = 16;

    /**
     * What a segmentation training makes, besides its schedule ({@link TrainConfig}): the task; the class names
     * (semantic; null: class0.. from the labels); a new U-Net's depth, base filters, residual blocks and dropout; or a
     * model to fine-tune ({@code from}: a CNN-J model keeps its task, shape and object size; an ONNX model from
     * elsewhere is rebuilt from its graph); how much the patches vary (augmentation, elastic deformation in pixels); and
     * the object diameter the images are rescaled to (instances; 0: the median of the labels', or the starting model's).
     */
    public record Recipe(
            SegmentationTask task,
            List<String> classes,
            int depth,
            int filters,
            boolean residual,
            float dropout,
            Path from,
            Augmentation augmentation,
            float elastic,
            double diameter) {
        public Recipe {
            if (task == null) throw new IllegalArgumentException("training: no task");
            if (depth < 1 || depth > 6)
                throw new IllegalArgumentException("training: depth must be 1..6, got " + depth);
            if (filters < 1) throw new IllegalArgumentException("training: filters must be >= 1, got " + filters);
            if (!(dropout >= 0 && dropout < 1))
                throw new IllegalArgumentException("training: dropout must be in [0, 1), got " + dropout);
            if (!(elastic >= 0 && elastic < 50))
                throw new IllegalArgumentException(
                        "training: elastic deformation must be 0..50 pixels, got " + elastic);
            if (!(diameter == 0 || (diameter >= 3 && diameter <= 500))) {
                throw new IllegalArgumentException(
                        "training: the object diameter must be 3..500 pixels (or 0 = measured from the labels), got "
                                + diameter);
            }
            augmentation = augmentation == null ? Augmentation.BASIC : augmentation;
            classes = classes == null ? null : List.copyOf(classes);
        }

        /** Instances (distance map), a new U-Net of {@link #DEFAULT_DEPTH} levels and {@link #DEFAULT_FILTERS} filters. */
        public static Recipe defaults() {
            return new Recipe(
                    SegmentationTask.INSTANCES,
                    null,
                    DEFAULT_DEPTH,
                    DEFAULT_FILTERS,
                    false,
                    0,
                    null,
                    Augmentation.BASIC,
                    0,
                    0);
        }

        public Recipe withTask(SegmentationTask t, List<String> names) {
            return new Recipe(t, names, depth, filters, residual, dropout, from, augmentation, elastic, diameter);
        }

        /** A new U-Net of this shape. */
        public Recipe withNetwork(int levels, int baseFilters, boolean residualBlocks, float dropoutRate) {
            return new Recipe(
                    task,
                    classes,
                    levels,
                    baseFilters,
                    residualBlocks,
                    dropoutRate,
                    from,
                    augmentation,
                    elastic,
                    diameter);
        }

        public Recipe withFrom(Path model) {
            return new Recipe(task, classes, depth, filters, residual, dropout, model, augmentation, elastic, diameter);
        }

        public Recipe withAugmentation(Augmentation a, float elasticPixels) {
            return new Recipe(task, classes, depth, filters, residual, dropout, from, a, elasticPixels, diameter);
        }

        public Recipe withDiameter(double pixels) {
            return new Recipe(task, classes, depth, filters, residual, dropout, from, augmentation, elastic, pixels);
        }
    }

    /**
     * Trains as the recipe says: a new U-Net, or the model {@code recipe.from()} fine-tuned (a CNN-J model keeps its
     * instance encoding and object size unless the recipe names another size; a model from elsewhere is rebuilt from
     * its ONNX graph and trained as it is).
     */
    public static Result train(TrainingRun<LabeledImage> run, Recipe recipe) throws IOException {
        if (run.data().isEmpty()) throw new IllegalArgumentException("training: no image/label pairs were given");
        if (recipe.from() == null) return train(run, recipe, null);
        SegmentationModel from = SegmentationModel.resolve(recipe.from());
        SegmentationSpec fromSpec = from.spec();
        run = run.startedFrom(from.onnx(), fromSpec.provenance());
        if (SegmentationEnsemble.isEnsemble(fromSpec)) {
            // Fine-tuned as the one graph it is: every member's weights learn from the loss on their mean output, and
            // the ensemble keeps its task, object size, split depth and decoding (as a CNN-J model does).
            GraphNetwork ensemble = GraphNetwork.load(from.onnx());
            // the 1 / members of the mean and the members' shares of a weighted mean: constants, not weights to learn
            ensemble.parameters().forEach((name, t) -> {
                if (name.equals(GraphAverage.WEIGHT) || name.startsWith(GraphAverage.SHARE)) t.requiresGrad(false);
            });
            Map<String, String> kept = new LinkedHashMap<>(fromSpec.provenance());
            kept.remove("weights"); // written again as float32, whatever the file it started from held
            return fineTune(run, ensemble, fromSpec.withProvenance(kept), ensemble.encoderParameters(), recipe);
        }
        if (fromSpec.architecture() == null) {
            GraphNetwork imported = GraphNetwork.load(from.onnx());
            SegmentationSpec spec = externalSpec(from, recipe, classesOf(run.data(), recipe));
            return fineTune(run, imported, spec, imported.encoderParameters(), recipe);
        }
        Recipe kept = recipe;
        if (fromSpec.isInstances() && recipe.task().isInstances())
            kept = kept.withTask(fromSpec.task(), null); // fine-tuning keeps the model's own instance encoding
        if (fromSpec.objectDiameter() > 0 && recipe.diameter() == 0)
            kept = kept.withDiameter(fromSpec.objectDiameter()); // and the object size it was trained for
        return train(run, kept, loadNetwork(from, fromSpec), fromSpec);
    }

    private static UNet loadNetwork(SegmentationModel model, SegmentationSpec spec) throws IOException {
        return Segmenter.loadNetwork(model.onnx(), spec);
    }

    /**
     * Trains {@code start} (a U-Net in memory, fine-tuned) or, when null, a new U-Net of the recipe's shape: labels are
     * object ids for the instance tasks, classes (named by the recipe, or class0.. from the labels) for semantic.
     */
    public static Result train(TrainingRun<LabeledImage> run, Recipe recipe, UNet start) throws IOException {
        return train(run, recipe, start, null);
    }

    /**
     * As above; a model fine-tuned from {@code from} also starts from its split depth and decoding, which the
     * validation images then change only on clear evidence ({@link #chooseSplitDepth}).
     */
    private static Result train(TrainingRun<LabeledImage> run, Recipe recipe, UNet start, SegmentationSpec from)
            throws IOException {
        List<LabeledImage> data = run.data();
        if (data.isEmpty()) throw new IllegalArgumentException("training: no image/label pairs were given");
        SegmentationTask task = recipe.task();
        List<String> names = task == SegmentationTask.INSTANCES
                ? SegmentationSpec.DISTANCE_CHANNELS
                : task == SegmentationTask.INSTANCES_3CLASS
                        ? List.of("background", "interior", "boundary")
                        : classesOf(data, recipe);
        UNetConfig arch = start != null
                ? start.config
                : new UNetConfig(
                        data.get(0).image().length,
                        names.size(),
                        recipe.depth(),
                        recipe.filters(),
                        true,
                        recipe.residual(),
                        recipe.dropout());
        if (arch.classes() != names.size()) {
            throw new IllegalArgumentException("training: the network has " + arch.classes() + " outputs but "
                    + names.size() + " classes were named");
        }
        double diameter =
                task == SegmentationTask.INSTANCES ? ObjectScaling.targetDiameter(data, recipe.diameter()) : 0;
        SegmentationSpec spec = SegmentationSpec.forUNet(
                arch, names, task, Normalization.percentile(1, 99.8), run.provenance(), diameter);
        if (from != null && from.task() == task)
            spec = spec.withSplitDepth(from.splitDepth()).withDecoding(from.decoding());
        return run(
                run,
                spec,
                start,
                rng -> new UNet(arch, rng),
                name -> name.startsWith("enc") || name.startsWith("bottom."),
                recipe);
    }

    /**
     * Fine-tunes a network that did not come from a {@link UNetConfig}, e.g. a {@link GraphNetwork} imported from
     * another framework's ONNX file, described by {@code spec}; {@code encoder}: the parameter names {@link
     * TrainConfig#freezeEncoder()} freezes.
     */
    private static Result fineTune(
            TrainingRun<LabeledImage> run, Module net, SegmentationSpec spec, Collection<String> encoder, Recipe recipe)
            throws IOException {
        Map<String, String> merged = new LinkedHashMap<>(spec.provenance());
        merged.putAll(run.provenance());
        return run(run, spec.withProvenance(merged), net, rng -> net, encoder::contains, recipe);
    }

    /** The recipe's class names, or for a semantic task without names background, class1, … up to the largest label. */
    private static List<String> classesOf(List<LabeledImage> data, Recipe recipe) {
        if (recipe.classes() != null || recipe.task() != SegmentationTask.SEMANTIC) return recipe.classes();
        int max =
                data.stream().flatMapToInt(d -> Arrays.stream(d.labels())).max().orElse(1);
        List<String> names = new ArrayList<>();
        for (int c = 0; c <= Math.max(1, max); c++) names.add(c == 0 ? "background" : "class" + c);
        return names;
    }

    /**
     * How to train and apply a model from elsewhere: its own description (a sidecar, a bioimage.io package), or a model
     * with its output's class count, with the recipe's task (semantic, or instances-3class for exactly 3 outputs).
     */
    private static SegmentationSpec externalSpec(SegmentationModel model, Recipe recipe, List<String> classes) {
        SegmentationSpec base = model.spec();
        Path file = recipe.from();
        int k = base.classes().size();
        SegmentationTask task = recipe.task();
        if (base.tensorIo() != null
                && (base.tensorIo().fixedSize()
                        || !base.tensorIo().preprocessing().isEmpty()
                        || !base.tensorIo().postprocessing().isEmpty())) {
            throw new IllegalArgumentException(file.getFileName() + " is a bioimage.io model with its own input size or"
                    + " pre/postprocessing, which CNN-J's training does not reproduce: it can be applied, not fine-tuned;"
                    + " train a CNN-J model instead (leave \"from\" empty)");
        }
        if (task == SegmentationTask.INSTANCES) {
            throw new IllegalArgumentException(file.getFileName()
                    + " is not a CNN-J instance model; fine-tune it with task=semantic or task=instances-3class"
                    + " (3 output channels)");
        }
        if (task == SegmentationTask.INSTANCES_3CLASS && k != 3) {
            throw new IllegalArgumentException(file.getFileName() + " has " + k
                    + " output channels; the instances task needs 3 (background, interior,"
                    + " boundary): train it as task=semantic, or start from a CNN-J model");
        }
        List<String> names = task == SegmentationTask.INSTANCES_3CLASS
                ? List.of("background", "interior", "boundary")
                : classes != null && classes.size() == k ? classes : base.classes();
        return new SegmentationSpec(
                1,
                "NCHW",
                base.inputChannels(),
                names,
                "logits",
                task,
                base.normalization(),
                base.tileMultiple(),
                base.halo(),
                null,
                base.provenance(),
                base.objectDiameter(),
                base.splitDepth(),
                null,
                base.tensorIo());
    }

    private static Result run(
            TrainingRun<LabeledImage> run,
            SegmentationSpec spec,
            Module start,
            Function<Rng, Module> build,
            Predicate<String> isEncoder,
            Recipe recipe)
            throws IOException {
        List<LabeledImage> data = run.data();
        TrainConfig cfg = run.config();
        Path checkpoints = run.checkpoints();
        AtomicBoolean cancel = run.cancel();
        TrainingListener listener = run.listener();
        Map<String, String> provenance = run.provenance();
        check(data, spec.isInstances(), spec, cfg);
        if (run.validation() != null) check(run.validation(), spec.isInstances(), spec, cfg);
        boolean distance = spec.task() == SegmentationTask.INSTANCES;
        Rng rng = new Rng(cfg.seed());
        // Validation images given (e.g. a source held out whole) are used as they are; else a share is drawn.
        TrainingLoop.Split<LabeledImage> split = run.validation() != null
                ? new TrainingLoop.Split<>(data, run.validation())
                : TrainingLoop.split(data, cfg.validationFraction(), rng);
        Module net = start != null ? start : build.apply(rng.split());
        if (cfg.freezeEncoder())
            net.parameters().forEach((name, t) -> t.requiresGrad(t.requiresGrad() && !isEncoder.test(name)));
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(cfg.learningRate()));
        long total = (long) cfg.epochs() * cfg.stepsPerEpoch();
        LrSchedule schedule = new LrSchedule.Warmup(
                Math.min(50, total / 10), new LrSchedule.Cosine(Math.max(1, total - Math.min(50, total / 10)), 0.05));
        // Distance models validate (and choose their split depth) on the held-out images brought to the model's object
        // size; a run that scores no epoch holds none out.
        boolean scored = run.scored();
        List<LabeledImage> held =
                distance && scored ? new ObjectScaling(spec.objectDiameter()).rescaled(split.validation()) : List.of();
        Prefetch<?> batches;
        DoubleSupplier step; // one batch: forward, backward (and with ONNX Runtime the update); its loss
        DoubleSupplier validation;
        int pixels = cfg.patch() * cfg.patch();
        OrtTraining ort = null;
        if (distance) {
            ObjectPatchSampler sampler =
                    new ObjectScaling(spec.objectDiameter()).sampler(split.training(), spec, cfg, recipe, rng.split());
            int[] batchShape = {cfg.batch(), sampler.channels(), cfg.patch(), cfg.patch()};
            // Before the batch thread starts: a model the graph cannot train fails here and leaves no thread behind.
            ort = cfg.engine().open(net, adam, new TrainingGraph.Step(batchShape, DISTANCE_LOSS), listener);
            if (ort != null) {
                OrtTraining engine = ort;
                // The targets are made on the batch thread too: the training thread only runs steps.
                Prefetch<Feed> feeds = new Prefetch<>(() -> {
                    ObjectPatchSampler.Batch b = sampler.next(cfg.batch(), cfg.patch());
                    float[][] classes = TrainingLoss.crossEntropyTargets(
                            b.labels(), 3, pixels, CLASS_WEIGHTS, 0f, SoftmaxCrossEntropy.NO_IGNORE);
                    return new Feed(
                            b.images(),
                            Map.of(
                                    "part0/target",
                                    classes[0],
                                    "part0/weight",
                                    classes[1],
                                    "part1/target",
                                    b.targets()));
                });
                batches = feeds;
                step = () -> feeds.next().stepOn(engine);
            } else {
                Prefetch<ObjectPatchSampler.Batch> next = new Prefetch<>(() -> sampler.next(cfg.batch(), cfg.patch()));
                batches = next;
                step = () -> javaStep(distanceLoss(net, next.next(), sampler.channels(), cfg));
            }
            validation = scored ? () -> validationAp(net, spec, held) : () -> Double.NaN;
        } else {
            PatchSampler sampler = sampler(split.training(), spec, recipe.elastic(), rng.split());
            float[] classWeights = spec.isInstances() ? CLASS_WEIGHTS : null;
            int[] batchShape = {cfg.batch(), sampler.channels(), cfg.patch(), cfg.patch()};
            ort = cfg.engine()
                    .open(net, adam, new TrainingGraph.Step(batchShape, new TrainingLoss.CrossEntropy()), listener);
            int classes = spec.classChannels();
            if (ort != null) {
                OrtTraining engine = ort;
                Prefetch<Feed> feeds = new Prefetch<>(() -> {
                    PatchSampler.Batch b = sampler.next(cfg.batch(), cfg.patch());
                    float[][] t = TrainingLoss.crossEntropyTargets(
                            b.labels(), classes, pixels, classWeights, 0f, SoftmaxCrossEntropy.NO_IGNORE);
                    return new Feed(b.images(), Map.of("target", t[0], "weight", t[1]));
                });
                batches = feeds;
                step = () -> feeds.next().stepOn(engine);
            } else {
                Prefetch<PatchSampler.Batch> next = new Prefetch<>(() -> sampler.next(cfg.batch(), cfg.patch()));
                batches = next;
                step = () -> {
                    PatchSampler.Batch b = next.next();
                    Tensor x = Tensor.of(b.images(), batchShape);
                    return javaStep(SoftmaxCrossEntropy.apply(
                            net.forward(x), b.labels(), classWeights, SoftmaxCrossEntropy.NO_IGNORE));
                };
            }
            validation =
                    scored ? () -> validationIou(net, spec, split.validation(), spec.isInstances()) : () -> Double.NaN;
        }
        TrainingLoop.Outcome end;
        try {
            end = TrainingLoop.fit(run, net, adam, schedule, new TrainingLoop.Task() {
                public double step() {
                    return step.getAsDouble();
                }

                public double validate() {
                    return validation.getAsDouble();
                }

                public String metric() {
                    return distance ? "AP@0.5" : "IoU";
                }

                public String checkpointKey() {
                    return "best_iou";
                }
            });
        } finally {
            batches.close();
            if (ort != null) ort.close();
        }
        SegmentationSpec result = spec;
        // Not after a cancel: the user (or Ctrl-C's shutdown hook, which waits only so long) wants the model now; the
        // default split depth stays.
        if (distance && !end.cancelled() && !split.validation().isEmpty() && split.validation() != split.training()) {
            result = bestSplitDepth(new JavaEngine(net), spec, held, msg -> {});
            net.train(true);
        }
        return new Result(net, result, end);
    }

    /** The Java engine's step: backward through the graph the forward recorded; the loss. */
    private static double javaStep(Tensor loss) {
        Autograd.backwardAndRelease(loss);
        return loss.item();
    }

    /** A batch as ONNX Runtime's training step takes it: the images and the loss's inputs by name. */
    private record Feed(float[] images, Map<String, float[]> targets) {
        double stepOn(OrtTraining engine) {
            return engine.step(images, targets);
        }
    }

    /** The distance model's loss as the ONNX Runtime engine computes it (the same as {@link #distanceLoss}). */
    private static final TrainingLoss DISTANCE_LOSS = new TrainingLoss.Channels(List.of(
            new TrainingLoss.Part(0, 3, new TrainingLoss.CrossEntropy()),
            new TrainingLoss.Part(3, 1, new TrainingLoss.BinaryCrossEntropy())));

    /** Boundary pixels are few but decide whether touching objects separate: they count twice. */
    private static final float[] CLASS_WEIGHTS = {1f, 1f, 2f};

    /** The instances-distance model's loss: class cross-entropy on channels 0..2 plus distance BCE on channel 3. */
    static Tensor distanceLoss(Module net, ObjectPatchSampler.Batch b, int channels, TrainConfig cfg) {
        Tensor out = net.forward(Tensor.of(b.images(), cfg.batch(), channels, cfg.patch(), cfg.patch()));
        Tensor classes = SoftmaxCrossEntropy.apply(
                Narrow.channels(out, 0, 3), b.labels(), CLASS_WEIGHTS, SoftmaxCrossEntropy.NO_IGNORE);
        Tensor distance = BceWithLogits.apply(
                Narrow.channels(out, 3, 1), Tensor.of(b.targets(), cfg.batch(), 1, cfg.patch(), cfg.patch()));
        return Add.apply(classes, distance);
    }

    /** Pooled object AP@0.5 (TP / (TP + FP + FN) over all validation images), images at the model's object size. */
    static double validationAp(Module net, SegmentationSpec spec, List<LabeledImage> validation) {
        try {
            return pooledAp(new JavaEngine(net), spec, validation);
        } finally {
            net.train(true);
        }
    }

    private static double pooledAp(Engine engine, SegmentationSpec spec, List<LabeledImage> images) {
        long[] counts = new long[3];
        for (LabeledImage d : images) {
            Segmenter.Result r =
                    Segmenter.of(engine, spec).apply(d.image(), d.width(), d.height(), validationOptions(spec), null);
            addMatches(counts, d.labels(), r.objects());
        }
        return pooledAp(counts);
    }

    /** Whole images in 256-px tiles, no probabilities, no minimum object size. */
    private static Segmenter.Options validationOptions(SegmentationSpec spec) {
        return Segmenter.Options.of(spec).withTile(256).withMinObjectPixels(1);
    }

    /** counts {true positives, false positives, false negatives} += the matches of {@code objects} at IoU 0.5. */
    static void addMatches(long[] counts, int[] truth, int[] objects) {
        InstanceMatching.Result m = InstanceMatching.match(truth, objects, 0.5);
        counts[0] += m.truePositives();
        counts[1] += m.falsePositives();
        counts[2] += m.falseNegatives();
    }

    /** AP@0.5 pooled over images: TP / (TP + FP + FN) of all their objects together. */
    static double pooledAp(long[] counts) {
        long all = counts[0] + counts[1] + counts[2];
        return all == 0 ? 0 : (double) counts[0] / all;
    }

    /** Split depths tried by {@link #tuneSplitDepth}. */
    static final double[] SPLIT_DEPTHS = {0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6};

    /**
     * The instances-distance model with the split depth that gives the best pooled AP@0.5 on {@code images}
     * (annotated images the model did not train on, each brought to the model's object size by its own
     * labels), as StarDist optimizes its thresholds after training; {@code log} hears each depth's AP.
     */
    public static SegmentationSpec tuneSplitDepth(
            Engine engine, SegmentationSpec spec, List<LabeledImage> images, Consumer<String> log) {
        if (spec.task() != SegmentationTask.INSTANCES)
            throw new IllegalArgumentException("only instances-distance models have a split depth");
        if (images.isEmpty()) return spec;
        return bestSplitDepth(engine, spec, new ObjectScaling(spec.objectDiameter()).rescaled(images), log);
    }

    /**
     * The decodings {@link #tuneDecoding} tries: foreground 0.4–0.6, hysteresis seeds, relative specks, and each object
     * outlined at one threshold or relative to its own peak (down to 0.2).
     */
    static final List<Decoding> DECODINGS = decodings();

    private static List<Decoding> decodings() {
        List<Decoding> out = new ArrayList<>();
        for (float foreground : new float[] {0.4f, 0.5f, 0.6f})
            for (float seed : new float[] {foreground, 0.7f})
                for (float speck : new float[] {0, 0.15f, 0.3f})
                    for (float lowest : new float[] {0, 0.2f})
                        if (seed >= foreground) out.add(new Decoding(foreground, seed, speck, lowest));
        return List.copyOf(out);
    }

    /**
     * The instances-distance model with the decoding and split depth that give the best pooled AP@0.5 on {@code
     * images} (annotated images of sources the model did not train on, each brought to the model's object size by its
     * own labels); {@code log} hears the best AP of each decoding.
     */
    public static SegmentationSpec tuneDecoding(
            Engine engine, SegmentationSpec spec, List<LabeledImage> images, Consumer<String> log) {
        if (spec.task() != SegmentationTask.INSTANCES)
            throw new IllegalArgumentException("only instances-distance models have a decoding to tune");
        if (images.isEmpty()) return spec;
        long[][][] counts = new long[DECODINGS.size()][SPLIT_DEPTHS.length][3];
        for (LabeledImage d : new ObjectScaling(spec.objectDiameter()).rescaled(images)) {
            int[][][] objects = Segmenter.objectsAtDecodings(
                    engine, spec, d.image(), d.width(), d.height(), SPLIT_DEPTHS, DECODINGS);
            for (int k = 0; k < DECODINGS.size(); k++)
                for (int i = 0; i < SPLIT_DEPTHS.length; i++) addMatches(counts[k][i], d.labels(), objects[k][i]);
        }
        double best = -1;
        SegmentationSpec chosen = spec;
        for (int k = 0; k < DECODINGS.size(); k++) {
            double bestHere = -1, depthHere = 0;
            for (int i = 0; i < SPLIT_DEPTHS.length; i++) {
                double ap = pooledAp(counts[k][i]);
                if (ap > bestHere) {
                    bestHere = ap;
                    depthHere = SPLIT_DEPTHS[i];
                }
            }
            Decoding dec = DECODINGS.get(k);
            log.accept(String.format(
                    Locale.ROOT,
                    "foreground %.2f, seed %.2f, speck %.2f, per-object outline down to %.2f: AP@0.5 %.4f (split depth"
                            + " %.2f)",
                    dec.foreground(),
                    dec.seed(),
                    dec.relativeSpeck(),
                    dec.lowest(),
                    bestHere,
                    depthHere));
            if (bestHere > best) {
                best = bestHere;
                chosen = spec.withSplitDepth(depthHere).withDecoding(dec);
            }
        }
        return chosen;
    }

    /** {@link #tuneSplitDepth} on images already at the model's object size. */
    private static SegmentationSpec bestSplitDepth(
            Engine engine, SegmentationSpec spec, List<LabeledImage> scaled, Consumer<String> log) {
        double[] depths = withDepth(SPLIT_DEPTHS, spec.split());
        long[][] counts = new long[depths.length][3];
        for (LabeledImage d : scaled) {
            int[][] objects = Segmenter.objectsAtSplitDepths(
                    engine, spec, d.image(), d.width(), d.height(), validationOptions(spec), depths);
            for (int i = 0; i < depths.length; i++) addMatches(counts[i], d.labels(), objects[i]);
        }
        for (int i = 0; i < depths.length; i++)
            log.accept(String.format(Locale.ROOT, "split depth %.3f: AP@0.5 %.4f", depths[i], pooledAp(counts[i])));
        double chosen = chooseSplitDepth(spec.split(), depths, counts);
        int best = bestIndex(counts);
        if (chosen != depths[best])
            log.accept(String.format(
                    Locale.ROOT,
                    "kept split depth %.3f: %.3f scores higher by less than two standard errors of the score on"
                            + " these %d objects",
                    chosen,
                    depths[best],
                    counts[best][0] + counts[best][2]));
        return spec.withSplitDepth(chosen);
    }

    /**
     * The split depth to keep: the best-scoring one, unless the model's present depth scores within two standard
     * errors of it. The error is that of a proportion over n = true + false positives + misses at the best depth,
     * taken at (TP + 1) / (n + 2) so that a perfect score on a few objects does not count as certain. A few annotated
     * images tell depths apart by chance, and a depth moved by chance splits or merges the user's other images: a
     * fine-tune of the shipped model on 3 neuroblastoma images moved 0.3 → 0.15 on the one image it held out (15
     * nuclei) and scored 0.648 instead of 0.763 on 14 other images of that kind.
     */
    static double chooseSplitDepth(double current, double[] depths, long[][] counts) {
        int best = bestIndex(counts), present = indexOf(depths, current);
        if (present < 0) return depths[best];
        long n = counts[best][0] + counts[best][1] + counts[best][2];
        if (n == 0) return current;
        double p = (counts[best][0] + 1.0) / (n + 2.0), standardError = Math.sqrt(p * (1 - p) / n);
        return pooledAp(counts[best]) - pooledAp(counts[present]) <= 2 * standardError ? current : depths[best];
    }

    /** The first depth with the highest pooled AP. */
    private static int bestIndex(long[][] counts) {
        int best = 0;
        for (int i = 1; i < counts.length; i++) if (pooledAp(counts[i]) > pooledAp(counts[best])) best = i;
        return best;
    }

    /** Where {@code depth} is among {@code depths} (sidecars keep depths as floats: equal within 1e-6), or -1. */
    private static int indexOf(double[] depths, double depth) {
        for (int i = 0; i < depths.length; i++) if (Math.abs(depths[i] - depth) < 1e-6) return i;
        return -1;
    }

    /** {@code depths} (ascending) with {@code depth} added in order where it is not one of them. */
    static double[] withDepth(double[] depths, double depth) {
        if (indexOf(depths, depth) >= 0) return depths;
        double[] out = Arrays.copyOf(depths, depths.length + 1);
        out[depths.length] = depth;
        Arrays.sort(out);
        return out;
    }

    private static void check(List<LabeledImage> data, boolean instances, SegmentationSpec spec, TrainConfig cfg) {
        if (data.isEmpty()) throw new IllegalArgumentException("training: no image/label pairs were given");
        int classes = spec.classes().size(), multiple = spec.tileMultiple();
        if (cfg.patch() % multiple != 0) {
            throw new IllegalArgumentException("training: patch " + cfg.patch() + " must be a multiple of " + multiple
                    + " (the network's size multiple)");
        }
        boolean anyForeground = false;
        for (LabeledImage d : data) {
            if (d.image().length != spec.inputChannels()) {
                throw new IllegalArgumentException(
                        d.name() + " has " + d.image().length + " channel(s) but the network takes "
                                + spec.inputChannels() + "; give every image the same channels");
            }
            // Distance training mirrors small images out to the patch size; the other tasks need whole patches.
            if (spec.task() != SegmentationTask.INSTANCES && (d.width() < cfg.patch() || d.height() < cfg.patch())) {
                throw new IllegalArgumentException(
                        d.name() + " is " + d.width() + "x" + d.height() + ", smaller than the " + cfg.patch()
                                + " px patch; choose a smaller patch (a multiple of " + multiple + ")");
            }
            for (int l : d.labels()) {
                if (l < 0 || (!instances && l >= classes)) {
                    throw new IllegalArgumentException(d.name() + ": label value " + l + " is not a class (0.."
                            + (classes - 1) + "); for object labels choose the instance task");
                }
                anyForeground |= l > 0;
            }
        }
        if (!anyForeground) {
            throw new IllegalArgumentException(
                    "training: every label image is empty (all 0); draw or load labels first");
        }
    }

    static PatchSampler sampler(List<LabeledImage> training, SegmentationSpec spec, float elastic, Rng rng) {
        List<PatchSampler.Image> images = new ArrayList<>();
        for (LabeledImage d : training) {
            int[] labels =
                    spec.isInstances() ? SyntheticNuclei.threeClass(d.labels(), d.width(), d.height()) : d.labels();
            images.add(new PatchSampler.Image(normalize(spec, d), labels, d.width(), d.height()));
        }
        return new PatchSampler(images, 0.1f, rng).elastic(elastic);
    }

    /**
     * An image normalized as the model's sidecar says — the one rule for training, validation and applying
     * (CNN-J's own models: percentiles 1–99.8%; a model from elsewhere may say none, and is then trained on raw values).
     */
    static float[][] normalize(SegmentationSpec spec, LabeledImage d) {
        return Segmenter.normalize(spec, d.image(), d.width(), d.height(), null);
    }

    /** Mean IoU over the foreground classes, pooled over the validation images. */
    static double validationIou(Module net, SegmentationSpec spec, List<LabeledImage> validation, boolean instances) {
        int k = spec.classes().size();
        long[] inter = new long[k], union = new long[k];
        JavaEngine engine = new JavaEngine(net);
        TiledPredictor.Layout layout = new TiledPredictor.Layout(256, spec.halo(), spec.tileMultiple());
        try {
            for (LabeledImage d : validation) {
                int[] truth = instances ? SyntheticNuclei.threeClass(d.labels(), d.width(), d.height()) : d.labels();
                Segmenter.Result r = Segmenter.of(engine, spec)
                        .apply(d.image(), d.width(), d.height(), new Segmenter.Options(layout, false, 1), null);
                for (int p = 0; p < truth.length; p++) {
                    int t = truth[p], q = r.classes()[p];
                    for (int c = 1; c < k; c++) {
                        boolean a = t == c, b = q == c;
                        if (a && b) inter[c]++;
                        if (a || b) union[c]++;
                    }
                }
            }
        } finally {
            net.train(true);
        }
        double sum = 0;
        int counted = 0;
        for (int c = 1; c < k; c++) {
            if (union[c] == 0) continue;
            sum += (double) inter[c] / union[c];
            counted++;
        }
        return counted == 0 ? 0 : sum / counted;
    }
}
