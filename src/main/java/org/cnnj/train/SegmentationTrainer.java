package org.cnnj.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cnnj.data.PatchSampler;
import org.cnnj.data.Percentiles;
import org.cnnj.data.SyntheticNuclei;
import org.cnnj.infer.JavaEngine;
import org.cnnj.infer.ModelSpec;
import org.cnnj.infer.Segmenter;
import org.cnnj.infer.TiledPredictor;
import org.cnnj.io.Checkpoint;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.nn.Module;
import org.cnnj.nn.UNet;
import org.cnnj.nn.UNetConfig;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Trains a U-Net for semantic or instance (background / interior / boundary) segmentation on labelled
 * images: patch sampling with augmentation, percentile normalization, Adam with warm-up + cosine,
 * validation IoU after every epoch, early stopping, a checkpoint every epoch (last.ckpt, best.ckpt),
 * resume from last.ckpt, and cancel at any step (the best model so far is kept).
 */
public final class SegmentationTrainer {
    /** After each epoch. */
    public record Epoch(int epoch, int epochs, double trainLoss, double validationIou, boolean improved, double seconds, double etaSeconds) {}

    /** Progress callbacks (the Fiji command draws a plot and a progress bar from these). */
    public interface Listener {
        void epoch(Epoch e);

        default void step(int step, int stepsPerEpoch, float loss) {}
    }

    /** The best model (weights restored), its sidecar, and how training ended. */
    public record Result(Module model, ModelSpec spec, int epochsRun, double bestValidationIou, boolean cancelled, boolean stoppedEarly) {}

    private SegmentationTrainer() {}

    /**
     * @param task        {@link ModelSpec#INSTANCES_3CLASS} (labels are object ids) or {@link ModelSpec#SEMANTIC} (labels are classes)
     * @param classes     class names (instances: ignored, always background/interior/boundary)
     * @param start       a model to fine-tune, or null to start from {@code architecture}
     * @param checkpoints folder for last.ckpt / best.ckpt (resume continues from last.ckpt), or null
     */
    public static Result train(List<LabeledImage> data, String task, List<String> classes, UNetConfig architecture, UNet start,
                               TrainConfig cfg, Path checkpoints, AtomicBoolean cancel, Listener listener, Map<String, String> provenance)
            throws IOException {
        boolean instances = ModelSpec.INSTANCES_3CLASS.equals(task);
        List<String> names = instances ? List.of("background", "interior", "boundary") : List.copyOf(classes);
        UNetConfig arch = start != null ? start.config : architecture;
        if (arch.classes() != names.size()) {
            throw new IllegalArgumentException("training: the network has " + arch.classes() + " outputs but " + names.size() + " classes were named");
        }
        ModelSpec spec = ModelSpec.forUNet(arch, names, task, ModelSpec.Normalization.percentile(1, 99.8), provenance);
        return run(data, spec, start, rng -> new UNet(arch, rng), name -> name.startsWith("enc") || name.startsWith("bottom."), cfg, checkpoints,
                cancel, listener, provenance);
    }

    /**
     * Fine-tunes a network that did not come from a {@link UNetConfig}, e.g. a {@link org.cnnj.onnx.GraphNetwork}
     * imported from another framework's ONNX file, described by its sidecar {@code spec}.
     *
     * @param encoder the parameter names {@link TrainConfig#freezeEncoder()} freezes
     */
    public static Result fineTune(List<LabeledImage> data, Module net, ModelSpec spec, java.util.Collection<String> encoder, TrainConfig cfg,
                                  Path checkpoints, AtomicBoolean cancel, Listener listener, Map<String, String> provenance) throws IOException {
        Map<String, String> merged = new LinkedHashMap<>(spec.provenance());
        if (provenance != null) merged.putAll(provenance);
        ModelSpec tuned = new ModelSpec(spec.format(), spec.axes(), spec.inputChannels(), spec.classes(), spec.output(), spec.task(), spec.normalization(),
                spec.tileMultiple(), spec.halo(), spec.architecture(), merged);
        return run(data, tuned, net, rng -> net, encoder::contains, cfg, checkpoints, cancel, listener, provenance);
    }

    private static Result run(List<LabeledImage> data, ModelSpec spec, Module start, java.util.function.Function<Rng, Module> build,
                              java.util.function.Predicate<String> isEncoder, TrainConfig cfg, Path checkpoints, AtomicBoolean cancel,
                              Listener listener, Map<String, String> provenance) throws IOException {
        boolean instances = ModelSpec.INSTANCES_3CLASS.equals(spec.task());
        check(data, instances, spec, cfg);

        Rng rng = new Rng(cfg.seed());
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        rng.shuffle(order);
        int validationCount = cfg.validationFraction() > 0 && data.size() > 1 ? Math.max(1, (int) Math.round(cfg.validationFraction() * data.size())) : 0;
        List<LabeledImage> validation = new ArrayList<>(), training = new ArrayList<>();
        for (int i = 0; i < order.length; i++) (i < validationCount ? validation : training).add(data.get(order[i]));
        if (validation.isEmpty()) validation = training; // one image: validate on it rather than not at all

        Module net = start != null ? start : build.apply(rng.split());
        if (cfg.freezeEncoder()) net.parameters().forEach((name, t) -> t.requiresGrad(!isEncoder.test(name)));
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(cfg.learningRate()));
        long total = (long) cfg.epochs() * cfg.stepsPerEpoch();
        LrSchedule schedule = new LrSchedule.Warmup(Math.min(50, total / 10), new LrSchedule.Cosine(Math.max(1, total - Math.min(50, total / 10)), 0.05));

        int firstEpoch = 1;
        double best = -1;
        if (checkpoints != null && Files.exists(checkpoints.resolve("last.ckpt"))) {
            Checkpoint.Contents c = Checkpoint.load(checkpoints.resolve("last.ckpt"), net, adam);
            firstEpoch = Integer.parseInt(c.meta().getOrDefault("epoch", "0")) + 1;
            best = Double.parseDouble(c.meta().getOrDefault("best_iou", "-1"));
        }
        PatchSampler sampler = sampler(training, instances, cfg, rng.split());
        float[] classWeights = instances ? new float[] {1f, 1f, 2f} : null;
        // On resume the best model so far is in best.ckpt, not in the last epoch's weights just loaded.
        Map<String, float[]> bestWeights = firstEpoch > 1 && Files.exists(checkpoints.resolve("best.ckpt"))
                ? Weights.snapshot(Checkpoint.read(checkpoints.resolve("best.ckpt"))) : Weights.snapshot(net);
        int sinceBest = 0, epoch = firstEpoch - 1;
        boolean cancelled = false, stoppedEarly = false;
        long t0 = System.nanoTime();
        for (epoch = firstEpoch; epoch <= cfg.epochs() && !cancelled; epoch++) {
            double lossSum = 0;
            int steps = 0;
            for (int s = 0; s < cfg.stepsPerEpoch(); s++) {
                if (cancel != null && cancel.get()) {
                    cancelled = true;
                    break;
                }
                PatchSampler.Batch b = sampler.next(cfg.batch(), cfg.patch());
                adam.setLearningRate(schedule.lr(cfg.learningRate(), (long) (epoch - 1) * cfg.stepsPerEpoch() + s));
                adam.zeroGrad();
                Tensor x = Tensor.of(b.images(), cfg.batch(), sampler.channels(), cfg.patch(), cfg.patch());
                Tensor loss = SoftmaxCrossEntropy.apply(net.forward(x), b.labels(), classWeights, SoftmaxCrossEntropy.NO_IGNORE);
                Autograd.backward(loss);
                adam.step();
                lossSum += loss.item();
                steps++;
                if (listener != null) listener.step(s + 1, cfg.stepsPerEpoch(), loss.item());
            }
            if (cancelled && steps == 0) break;
            double iou = validationIou(net, spec, validation, instances);
            boolean improved = iou > best;
            if (improved) {
                best = iou;
                sinceBest = 0;
                bestWeights = Weights.snapshot(net);
            } else {
                sinceBest++;
            }
            if (checkpoints != null) {
                Map<String, String> meta = new LinkedHashMap<>(provenance == null ? Map.of() : provenance);
                meta.put("epoch", String.valueOf(epoch));
                meta.put("best_iou", String.valueOf(best));
                Checkpoint.save(checkpoints.resolve("last.ckpt"), net, adam, meta);
                if (improved) Checkpoint.save(checkpoints.resolve("best.ckpt"), net, null, meta);
            }
            double elapsed = (System.nanoTime() - t0) / 1e9, perEpoch = elapsed / (epoch - firstEpoch + 1);
            if (listener != null) listener.epoch(new Epoch(epoch, cfg.epochs(), lossSum / Math.max(1, steps), iou, improved, elapsed, perEpoch * (cfg.epochs() - epoch)));
            if (cfg.patience() > 0 && sinceBest >= cfg.patience()) {
                stoppedEarly = true;
                epoch++;
                break;
            }
        }
        Weights.restore(net, bestWeights);
        net.setFrozen(false);
        return new Result(net, spec, epoch - firstEpoch, best, cancelled, stoppedEarly);
    }

    private static void check(List<LabeledImage> data, boolean instances, ModelSpec spec, TrainConfig cfg) {
        if (data.isEmpty()) throw new IllegalArgumentException("training: no image/label pairs were given");
        int classes = spec.classes().size(), multiple = spec.tileMultiple();
        if (cfg.patch() % multiple != 0) {
            throw new IllegalArgumentException("training: patch " + cfg.patch() + " must be a multiple of " + multiple + " (the network's size multiple)");
        }
        boolean anyForeground = false;
        for (LabeledImage d : data) {
            if (d.image().length != spec.inputChannels()) {
                throw new IllegalArgumentException(d.name() + " has " + d.image().length + " channel(s) but the network takes "
                        + spec.inputChannels() + "; give every image the same channels");
            }
            if (d.width() < cfg.patch() || d.height() < cfg.patch()) {
                throw new IllegalArgumentException(d.name() + " is " + d.width() + "x" + d.height() + ", smaller than the " + cfg.patch()
                        + " px patch; choose a smaller patch (a multiple of " + multiple + ")");
            }
            for (int l : d.labels()) {
                if (l < 0 || (!instances && l >= classes)) {
                    throw new IllegalArgumentException(d.name() + ": label value " + l + " is not a class (0.." + (classes - 1)
                            + "); for object labels choose the instance task");
                }
                anyForeground |= l > 0;
            }
        }
        if (!anyForeground) {
            throw new IllegalArgumentException("training: every label image is empty (all 0); draw or load labels first");
        }
    }

    private static PatchSampler sampler(List<LabeledImage> training, boolean instances, TrainConfig cfg, Rng rng) {
        float[][][] images = new float[training.size()][][];
        int[][] labels = new int[training.size()][];
        int[] widths = new int[training.size()], heights = new int[training.size()];
        for (int i = 0; i < training.size(); i++) {
            LabeledImage d = training.get(i);
            images[i] = normalize(d.image());
            labels[i] = instances ? SyntheticNuclei.threeClass(d.labels(), d.width(), d.height()) : d.labels();
            widths[i] = d.width();
            heights[i] = d.height();
        }
        return new PatchSampler(images, labels, widths, heights, 0.1f, rng).elastic(cfg.elastic());
    }

    private static float[][] normalize(float[][] channels) {
        float[][] out = new float[channels.length][];
        for (int c = 0; c < channels.length; c++) out[c] = Percentiles.of(channels[c], 1, 99.8).apply(channels[c]);
        return out;
    }

    /** Mean IoU over the foreground classes, pooled over the validation images. */
    static double validationIou(Module net, ModelSpec spec, List<LabeledImage> validation, boolean instances) {
        int k = spec.classes().size();
        long[] inter = new long[k], union = new long[k];
        JavaEngine engine = new JavaEngine(net);
        TiledPredictor.Layout layout = new TiledPredictor.Layout(256, spec.halo(), spec.tileMultiple());
        try {
            for (LabeledImage d : validation) {
                int[] truth = instances ? SyntheticNuclei.threeClass(d.labels(), d.width(), d.height()) : d.labels();
                Segmenter.Result r = Segmenter.segment(engine, spec, d.image(), d.width(), d.height(), new Segmenter.Options(layout, false, 1), null);
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
