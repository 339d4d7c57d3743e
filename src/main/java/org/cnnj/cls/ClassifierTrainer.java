package org.cnnj.cls;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.model.Normalization;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.optim.Optimizer;
import org.cnnj.optim.Sgd;
import org.cnnj.optim.SgdConfig;
import org.cnnj.runtime.OrtTraining;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.train.Prefetch;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingLoop;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;

/**
 * Trains a classifier on labelled crops: per-crop normalization, augmentation, (class-balanced) batches, softmax
 * cross-entropy with label smoothing, AdamW or SGD with Nesterov momentum and weight decay, warm-up + cosine decay,
 * validation accuracy and per-class precision/recall after every epoch, early stopping, checkpoints, resume, cancel,
 * and fine-tuning with a frozen feature extractor. The best epoch's weights are kept.
 */
public final class ClassifierTrainer {
    /** The optimizer: AdamW (decoupled weight decay) or SGD with Nesterov momentum 0.9 (L2 weight decay). */
    public enum OptimizerKind {
        ADAMW("adamw"),
        SGD("sgd");

        private final String option;

        OptimizerKind(String option) {
            this.option = option;
        }

        public String option() {
            return option;
        }

        public static OptimizerKind parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (OptimizerKind k : values()) if (k.option.equals(t)) return k;
            throw new IllegalArgumentException("optimizer must be adamw or sgd, got \"" + text + "\"");
        }
    }

    /**
     * What classification training adds to {@link TrainConfig}.
     *
     * @param balanced draw every class equally often (rare classes repeat, frequent ones are subsampled)
     */
    public record Options(
            OptimizerKind optimizer,
            double weightDecay,
            double labelSmoothing,
            boolean balanced,
            CropAugmentation augmentation,
            Normalization normalization) {
        public Options {
            if (optimizer == null || augmentation == null || normalization == null)
                throw new IllegalArgumentException(
                        "classifier training: optimizer, augmentation and normalization are needed");
            if (!(weightDecay >= 0 && weightDecay < 1))
                throw new IllegalArgumentException("weight decay must be in [0, 1), got " + weightDecay);
            if (!(labelSmoothing >= 0 && labelSmoothing < 0.5))
                throw new IllegalArgumentException("label smoothing must be in [0, 0.5), got " + labelSmoothing);
        }

        public static final Options DEFAULTS = new Options(
                OptimizerKind.ADAMW, 1e-4, 0.1, true, CropAugmentation.DEFAULT, Normalization.percentile(1, 99.8));
    }

    /** A classification training's defaults: 30 epochs of one pass each (steps are set from the data), batch 32, rate 1e-3, 20 % validation, no early stopping (the cosine schedule runs to its end: noisy validation scores of small sets would stop it at a lucky epoch), seed 1. */
    public static final TrainConfig DEFAULTS = TrainConfig.defaults()
            .withSchedule(30, 1)
            .withBatches(32, 64)
            .withLearningRate(1e-3)
            .withValidation(0.2)
            .withPatience(0)
            .withSeed(1);

    /**
     * The best model (weights restored), its sidecar, the validation confusion matrix (null for a training that scored
     * no epoch), and how training ended.
     */
    public record Result(
            ClassifierNetwork model, ClassifierSpec spec, ConfusionMatrix confusion, TrainingLoop.Outcome outcome) {
        public double bestAccuracy() {
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

    private ClassifierTrainer() {}

    /** Trains {@code architecture} from scratch, or continues from {@code start} (same classes and crop size). */
    public static Result train(
            TrainingRun<LabeledCrop> run, ClassifierConfig architecture, ClassifierNetwork start, Options options)
            throws IOException {
        ClassifierConfig arch = start != null ? start.config() : architecture;
        TrainConfig cfg = run.config();
        check(run.data(), arch);
        Rng rng = new Rng(cfg.seed());
        TrainingLoop.Split<LabeledCrop> split = stratifiedSplit(run.data(), arch, cfg.validationFraction(), rng);
        List<LabeledCrop> training = normalized(split.training(), options.normalization());
        List<LabeledCrop> validation = normalized(split.validation(), options.normalization());
        ClassifierNetwork net = start != null ? start : arch.architecture().build(arch, rng.split());
        if (cfg.freezeEncoder()) {
            net.setFrozen(true);
            List<String> head = net.headParameters();
            net.parameters().forEach((name, t) -> t.requiresGrad(head.contains(name)));
        }
        Optimizer optimizer = options.optimizer() == OptimizerKind.SGD
                ? new Sgd(net.parameters(), new SgdConfig(cfg.learningRate(), 0.9, true, options.weightDecay()))
                : new Adam(net.parameters(), AdamConfig.adamW(cfg.learningRate(), options.weightDecay()));
        long total = (long) cfg.epochs() * cfg.stepsPerEpoch(), warmup = Math.min(200, total / 20);
        LrSchedule schedule = new LrSchedule.Warmup(warmup, new LrSchedule.Cosine(Math.max(1, total - warmup), 0.01));
        Batches batches = new Batches(training, arch, options, rng.split());
        float smoothing = (float) options.labelSmoothing();
        ConfusionMatrix[] last = {null};
        TrainingLoop.Outcome end;
        int classes = arch.classes().size();
        int[] shape = {cfg.batch(), arch.inputChannels(), arch.inputSize(), arch.inputSize()};
        TrainingGraph.Step graphStep = new TrainingGraph.Step(shape, new TrainingLoss.CrossEntropy());
        try (Prefetch<Batches.Batch> next = new Prefetch<>(() -> batches.next(cfg.batch()));
                OrtTraining ort = cfg.engine().open(net, optimizer, graphStep, run.listener())) {
            end = TrainingLoop.fit(run, net, optimizer, schedule, new TrainingLoop.Task() {
                public double step() {
                    Batches.Batch b = next.next();
                    if (ort != null) {
                        float[][] t = TrainingLoss.crossEntropyTargets(
                                b.labels(), classes, 1, null, smoothing, SoftmaxCrossEntropy.NO_IGNORE);
                        return ort.step(b.x().data(), Map.of("target", t[0], "weight", t[1]));
                    }
                    Tensor loss = SoftmaxCrossEntropy.apply(net.forward(b.x()), b.labels(), smoothing);
                    Autograd.backwardAndRelease(loss);
                    return loss.item();
                }

                public double validate() {
                    // A share of 0 trains on every crop and scores no epoch (NaN: the last one is kept).
                    if (!run.scored()) return Double.NaN;
                    last[0] = evaluate(net, validation);
                    return last[0].accuracy();
                }

                public String metric() {
                    return "accuracy";
                }

                public String checkpointKey() {
                    return "best_accuracy";
                }

                public List<String> notes() {
                    return last[0] == null ? List.of() : last[0].perClassLines();
                }
            });
        }
        Map<String, String> provenance = new LinkedHashMap<>(run.provenance());
        ConfusionMatrix confusion = null;
        if (run.scored()) {
            confusion = evaluate(net, validation); // of the best weights, now restored
            provenance.put("validation_accuracy", String.format(Locale.ROOT, "%.4f", confusion.accuracy()));
            provenance.put("validation_crops", String.valueOf(validation.size()));
        } else {
            provenance.put("validation", "none: trained on every crop, the last epoch kept");
        }
        ClassifierSpec spec = ClassifierSpec.of(arch, options.normalization(), net.denseStride(), provenance);
        return new Result(net, spec, confusion, end);
    }

    /** The confusion matrix of {@code net} (eval mode) on already normalized crops. */
    public static ConfusionMatrix evaluate(ClassifierNetwork net, List<LabeledCrop> crops) {
        ConfusionMatrix m = new ConfusionMatrix(net.config().classes());
        boolean wasTraining = net.isTraining();
        net.train(false);
        try {
            for (int from = 0; from < crops.size(); from += 64) {
                List<LabeledCrop> part = crops.subList(from, Math.min(crops.size(), from + 64));
                Tensor logits = GradMode.noGrad(() -> net.forward(stack(part)));
                int[] predicted = argmax(logits);
                for (int i = 0; i < part.size(); i++) m.add(part.get(i).label(), predicted[i]);
            }
        } finally {
            net.train(wasTraining);
        }
        return m;
    }

    static Tensor stack(List<LabeledCrop> crops) {
        LabeledCrop first = crops.get(0);
        int each = first.pixels().length;
        float[] x = new float[crops.size() * each];
        for (int i = 0; i < crops.size(); i++) System.arraycopy(crops.get(i).pixels(), 0, x, i * each, each);
        return Tensor.of(x, crops.size(), first.channels(), first.size(), first.size());
    }

    static int[] argmax(Tensor logits) {
        int n = logits.dim(0), k = logits.dim(1);
        int[] best = new int[n];
        for (int i = 0; i < n; i++)
            for (int c = 1; c < k; c++) if (logits.data()[i * k + c] > logits.data()[i * k + best[i]]) best[i] = c;
        return best;
    }

    static List<LabeledCrop> normalized(List<LabeledCrop> crops, Normalization n) {
        List<LabeledCrop> out = new ArrayList<>(crops.size());
        for (LabeledCrop c : crops) out.add(c.withPixels(n.apply(c.pixels())));
        return out;
    }

    /** Holds out the same share of every class (at least one crop of a class with two or more). */
    static TrainingLoop.Split<LabeledCrop> stratifiedSplit(
            List<LabeledCrop> data, ClassifierConfig arch, double fraction, Rng rng) {
        List<LabeledCrop> training = new ArrayList<>(), validation = new ArrayList<>();
        for (int k = 0; k < arch.classes().size(); k++) {
            int cls = k;
            List<LabeledCrop> of = data.stream().filter(c -> c.label() == cls).toList();
            TrainingLoop.Split<LabeledCrop> s = TrainingLoop.split(of, fraction, rng);
            training.addAll(s.training());
            if (s.validation() != s.training()) validation.addAll(s.validation());
        }
        return new TrainingLoop.Split<>(training, validation.isEmpty() ? training : validation);
    }

    static void check(List<LabeledCrop> data, ClassifierConfig arch) {
        if (data.isEmpty()) throw new IllegalArgumentException("training: no examples were given");
        int[] perClass = new int[arch.classes().size()];
        for (LabeledCrop c : data) {
            if (c.channels() != arch.inputChannels() || c.size() != arch.inputSize()) {
                throw new IllegalArgumentException(
                        c.name() + " is a " + c.channels() + "-channel " + c.size() + " px crop"
                                + " but the classifier takes " + arch.inputChannels() + "-channel " + arch.inputSize()
                                + " px crops; give every image the same channels");
            }
            if (c.label() < 0 || c.label() >= perClass.length)
                throw new IllegalArgumentException(c.name() + " has no class of " + arch.classes());
            perClass[c.label()]++;
        }
        List<String> empty = new ArrayList<>();
        for (int k = 0; k < perClass.length; k++)
            if (perClass[k] == 0) empty.add(arch.classes().get(k));
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException("training: no examples of class " + String.join(", ", empty)
                    + "; add examples of every class, or leave the class out of the class list");
        }
    }

    /** Training batches: augmented crops, in shuffled passes or drawn class-balanced (each class equally often). */
    static final class Batches {
        record Batch(Tensor x, int[] labels) {}

        private final List<List<LabeledCrop>> byClass = new ArrayList<>();
        private final List<LabeledCrop> all;
        private final ClassifierConfig arch;
        private final Options options;
        private final Rng rng;

        Batches(List<LabeledCrop> crops, ClassifierConfig arch, Options options, Rng rng) {
            this.all = crops;
            this.arch = arch;
            this.options = options;
            this.rng = rng;
            for (int k = 0; k < arch.classes().size(); k++) {
                int cls = k;
                byClass.add(crops.stream().filter(c -> c.label() == cls).toList());
            }
        }

        Batch next(int size) {
            int each = arch.inputChannels() * arch.inputSize() * arch.inputSize();
            float[] x = new float[size * each];
            int[] labels = new int[size];
            for (int i = 0; i < size; i++) {
                LabeledCrop c = pick();
                float[] p = options.augmentation().apply(c.pixels(), c.channels(), c.size(), rng);
                System.arraycopy(p, 0, x, i * each, each);
                labels[i] = c.label();
            }
            return new Batch(Tensor.of(x, size, arch.inputChannels(), arch.inputSize(), arch.inputSize()), labels);
        }

        private int[] order;
        private int next;

        private LabeledCrop pick() {
            if (!options.balanced()) { // epochs of a fresh shuffle: every crop once per pass, as a DataLoader does
                if (order == null || next == order.length) {
                    if (order == null) order = new int[all.size()];
                    for (int i = 0; i < order.length; i++) order[i] = i;
                    rng.shuffle(order);
                    next = 0;
                }
                return all.get(order[next++]);
            }
            List<LabeledCrop> of;
            do of = byClass.get(rng.nextInt(byClass.size()));
            while (of.isEmpty());
            return of.get(rng.nextInt(of.size()));
        }
    }
}
