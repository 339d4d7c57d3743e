package org.cnnj.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;
import org.cnnj.io.Checkpoint;
import org.cnnj.nn.Module;
import org.cnnj.optim.LrSchedule;
import org.cnnj.optim.Optimizer;
import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Rng;

/**
 * What every CNN-J trainer shares around its own training step: the validation split, resuming from
 * last.ckpt (the best weights so far coming from best.ckpt), the learning-rate schedule, cancel at any
 * step, a validation score after every epoch, last/best checkpoints, early stopping, and restoring the
 * best weights at the end.
 */
public final class TrainingLoop {
    /** The images to train on and those to validate on (the training images when there is only one). */
    public record Split<T>(List<T> training, List<T> validation) {}

    /** How the loop ended; {@code epochsRun} counts the epochs this call ran. */
    /** {@code diverged}: why training stopped on a non-finite loss, or null. */
    public record Outcome(int epochsRun, double best, boolean cancelled, boolean stoppedEarly, String diverged) {}

    /** One batch: forward and backward (the loop zeroes the gradients before and steps the optimizer after). */
    public interface Step<T> {
        T run();
    }

    public interface StepDone<T> {
        void accept(int step, int stepsPerEpoch, T result);
    }

    public interface EpochDone {
        /** {@code secondsPerStep}: the epoch's training steps alone (no validation or checkpoints), per step. */
        void accept(
                int epoch,
                double trainLoss,
                double score,
                boolean improved,
                double seconds,
                double etaSeconds,
                double secondsPerStep);
    }

    /** The averaged weights beside last.ckpt, when training averages them. */
    static final String AVERAGE = "average.ckpt";

    private TrainingLoop() {}

    /** A new average at the current weights, or on resume the saved one (made over the epochs already run). */
    private static WeightAverage averageOf(Module net, TrainConfig cfg, Path checkpoints, int firstEpoch)
            throws IOException {
        boolean saved = firstEpoch > 1 && Files.exists(checkpoints.resolve(AVERAGE));
        return new WeightAverage(
                net,
                cfg.averaging(),
                saved ? Weights.snapshot(Checkpoint.read(checkpoints.resolve(AVERAGE))) : Weights.snapshot(net),
                saved ? (long) (firstEpoch - 1) * cfg.stepsPerEpoch() : 0);
    }

    /** Shuffles with {@code rng} and holds out round(fraction · n) items (at least one when fraction > 0 and n > 1). */
    public static <T> Split<T> split(List<T> data, double fraction, Rng rng) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        rng.shuffle(order);
        int validationCount =
                fraction > 0 && data.size() > 1 ? Math.max(1, (int) Math.round(fraction * data.size())) : 0;
        List<T> validation = new ArrayList<>(), training = new ArrayList<>();
        for (int i = 0; i < order.length; i++) (i < validationCount ? validation : training).add(data.get(order[i]));
        return new Split<>(
                training,
                validation.isEmpty() ? training : validation); // one image: validate on it rather than not at all
    }

    /**
     * Runs the epochs of {@code cfg} (continuing from {@code checkpoints}/last.ckpt when it exists).
     *
     * @param bestKey checkpoint metadata key of the best validation score ("best_iou", "best_map")
     */
    public static <T> Outcome run(
            Module net,
            Optimizer optimizer,
            LrSchedule schedule,
            TrainConfig cfg,
            Path checkpoints,
            String bestKey,
            AtomicBoolean cancel,
            Map<String, String> provenance,
            Step<T> step,
            ToDoubleFunction<T> lossOf,
            StepDone<T> stepDone,
            DoubleSupplier validate,
            EpochDone epochDone)
            throws IOException {
        int firstEpoch = 1;
        double best = -1;
        if (checkpoints != null && Files.exists(checkpoints.resolve("last.ckpt"))) {
            Checkpoint.Contents c = Checkpoint.load(checkpoints.resolve("last.ckpt"), net, optimizer);
            firstEpoch = Integer.parseInt(c.meta().getOrDefault("epoch", "0")) + 1;
            best = Double.parseDouble(c.meta().getOrDefault(bestKey, "-1"));
        }
        // On resume the best model so far is in best.ckpt, not in the last epoch's weights just loaded.
        Map<String, float[]> bestWeights = firstEpoch > 1 && Files.exists(checkpoints.resolve("best.ckpt"))
                ? Weights.snapshot(Checkpoint.read(checkpoints.resolve("best.ckpt")))
                : Weights.snapshot(net);
        WeightAverage average = cfg.averaging() > 0 ? averageOf(net, cfg, checkpoints, firstEpoch) : null;
        int sinceBest = 0, epoch;
        boolean cancelled = false, stoppedEarly = false;
        String diverged = null;
        long t0 = System.nanoTime();
        for (epoch = firstEpoch; epoch <= cfg.epochs() && !cancelled && diverged == null; epoch++) {
            double lossSum = 0;
            int steps = 0;
            long stepsStart = System.nanoTime();
            for (int s = 0; s < cfg.stepsPerEpoch(); s++) {
                if (cancel != null && cancel.get()) {
                    cancelled = true;
                    break;
                }
                optimizer.setLearningRate(
                        schedule.lr(cfg.learningRate(), (long) (epoch - 1) * cfg.stepsPerEpoch() + s));
                optimizer.zeroGrad();
                T result = step.run();
                optimizer.step();
                if (average != null) average.update();
                double loss = lossOf.applyAsDouble(result);
                if (!Double.isFinite(loss)) {
                    // Weights after this step are garbage: stop here and keep the best epoch's, as on cancel.
                    diverged = "the loss became " + loss + " at epoch " + epoch + ", step " + (s + 1)
                            + " (learning rate "
                            + String.format(
                                    Locale.ROOT,
                                    "%.3g",
                                    schedule.lr(cfg.learningRate(), (long) (epoch - 1) * cfg.stepsPerEpoch() + s))
                            + "); the best model so far was kept. Lower the learning rate and resume";
                    break;
                }
                lossSum += loss;
                steps++;
                if (stepDone != null) stepDone.accept(s + 1, cfg.stepsPerEpoch(), result);
            }
            double secondsPerStep = (System.nanoTime() - stepsStart) / 1e9 / Math.max(1, steps);
            if (diverged != null) {
                epoch++;
                break; // no validation or checkpoint of diverged weights: last.ckpt keeps the previous epoch, to resume
                // from
            }
            if (cancelled && steps == 0) break;
            // With weight averaging the average is what is validated, kept and saved; training goes on from the
            // last step's weights (last.ckpt), the average beside them (average.ckpt).
            Map<String, float[]> trained = average == null ? null : Weights.snapshot(net);
            if (average != null) Weights.restore(net, average.values());
            double score = validate.getAsDouble();
            boolean improved = score > best;
            if (improved) {
                best = score;
                sinceBest = 0;
                bestWeights = Weights.snapshot(net);
            } else {
                sinceBest++;
            }
            Map<String, String> meta = new LinkedHashMap<>(provenance == null ? Map.of() : provenance);
            meta.put("epoch", String.valueOf(epoch));
            meta.put(bestKey, String.valueOf(best));
            if (checkpoints != null && improved) Checkpoint.save(checkpoints.resolve("best.ckpt"), net, null, meta);
            if (checkpoints != null && average != null) Checkpoint.save(checkpoints.resolve(AVERAGE), net, null, meta);
            if (trained != null) Weights.restore(net, trained);
            if (checkpoints != null) Checkpoint.save(checkpoints.resolve("last.ckpt"), net, optimizer, meta);
            double elapsed = (System.nanoTime() - t0) / 1e9, perEpoch = elapsed / (epoch - firstEpoch + 1);
            if (epochDone != null)
                epochDone.accept(
                        epoch,
                        lossSum / Math.max(1, steps),
                        score,
                        improved,
                        elapsed,
                        perEpoch * (cfg.epochs() - epoch),
                        secondsPerStep);
            if (cfg.patience() > 0 && sinceBest >= cfg.patience()) {
                stoppedEarly = true;
                epoch++;
                break;
            }
        }
        BufferPool.clear(); // the step's recycled arrays: nothing else will ask for them
        Weights.restore(net, bestWeights);
        net.setFrozen(false);
        return new Outcome(epoch - firstEpoch, best, cancelled, stoppedEarly, diverged);
    }
}
