package org.cnnj.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.nn.Module;
import org.cnnj.optim.LrSchedule;
import org.cnnj.optim.Optimizer;
import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Rng;

/**
 * The one training loop of every CNN-J task, as DJL's {@code EasyTrain.fit}: epochs of steps, cancel at any step, a
 * validation score after every epoch, and the best weights restored at the end. A task gives it a {@link Task} (one
 * step, validation, the metric's name); what comes around the steps is in pieces of its own, each a few lines:
 * {@link Checkpoints} (last/best, resume), {@link EarlyStopping}, {@link WeightAverage} (validated and saved instead of
 * the last step's weights), and the divergence guard (a non-finite loss stops the run with the best weights kept).
 * Progress goes to the run's {@link TrainingListener}.
 */
public final class TrainingLoop {
    /** The images to train on and those to validate on (the training images when there is only one). */
    public record Split<T>(List<T> training, List<T> validation) {}

    /**
     * How the loop ended: epochs this call ran, the best validation score and what it measures ({@code metric}), and
     * whether it was cancelled, stopped early, or diverged ({@code diverged}: why, or null).
     */
    public record Outcome(
            int epochsRun, double best, String metric, boolean cancelled, boolean stoppedEarly, String diverged) {
        /** "best validation AP@0.5 0.8500", or "no validation (the last epoch's model)" for a training not scored. */
        public String bestScore() {
            return Double.isNaN(best)
                    ? "no validation (the last epoch's model)"
                    : String.format(Locale.ROOT, "best validation %s %.4f", metric, best);
        }
    }

    /** What a task gives the loop. */
    public interface Task {
        /** One batch: forward and backward (the loop zeroes the gradients before and steps the optimizer after); its loss. */
        double step();

        /** The validation score after an epoch; higher is better. */
        double validate();

        /** What the score measures, as reports, plots and tables show it: AP@0.5, mAP@0.5, accuracy, IoU. */
        String metric();

        /** The checkpoint's metadata key of the best score (kept per task so older checkpoints still resume). */
        String checkpointKey();

        /** Lines of detail after an epoch's report (e.g. a classifier's per-class precision and recall). */
        default List<String> notes() {
            return List.of();
        }
    }

    private TrainingLoop() {}

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

    /** Runs the epochs of the run's schedule (continuing from its checkpoints' last.ckpt when there is one). */
    public static Outcome fit(TrainingRun<?> run, Module net, Optimizer optimizer, LrSchedule schedule, Task task)
            throws IOException {
        TrainConfig cfg = run.config();
        TrainingListener listener = run.listener() == null ? e -> {} : run.listener();
        Checkpoints checkpoints = new Checkpoints(run.checkpoints(), task.checkpointKey(), run.provenance());
        Checkpoints.Resumed resumed = checkpoints.resume(net, optimizer);
        int firstEpoch = resumed.firstEpoch(), epoch;
        double best = resumed.best();
        Map<String, float[]> bestWeights = resumed.bestWeights();
        WeightAverage average = cfg.averaging() > 0 ? checkpoints.average(net, cfg, firstEpoch) : null;
        EarlyStopping patience = new EarlyStopping(cfg.patience());
        long all = (long) cfg.epochs() * cfg.stepsPerEpoch();
        boolean cancelled = false, stoppedEarly = false;
        String diverged = null;
        Map<String, float[]> lastWeights = null; // the last validated model, when it is the one to keep
        double lastScore = Double.NaN;
        long t0 = System.nanoTime();
        for (epoch = firstEpoch; epoch <= cfg.epochs() && !cancelled && diverged == null; epoch++) {
            double lossSum = 0;
            int steps = 0;
            long stepsStart = System.nanoTime();
            for (int s = 0; s < cfg.stepsPerEpoch(); s++) {
                if (run.cancel() != null && run.cancel().get()) {
                    cancelled = true;
                    break;
                }
                double rate = schedule.lr(cfg.learningRate(), (long) (epoch - 1) * cfg.stepsPerEpoch() + s);
                optimizer.setLearningRate(rate);
                optimizer.zeroGrad();
                double loss = task.step();
                optimizer.step();
                if (average != null) average.update();
                if (!Double.isFinite(loss)) {
                    diverged = divergence(loss, epoch, s, rate);
                    break;
                }
                lossSum += loss;
                steps++;
                listener.step(s + 1, cfg.stepsPerEpoch(), (float) loss);
                listener.progress((long) (epoch - 1) * cfg.stepsPerEpoch() + s + 1, all);
            }
            double secondsPerStep = (System.nanoTime() - stepsStart) / 1e9 / Math.max(1, steps);
            if (diverged != null) {
                epoch++;
                break; // no validation or checkpoint of diverged weights: last.ckpt keeps the previous epoch to resume
            }
            if (cancelled && steps == 0) break;
            // With weight averaging the average is what is validated, kept and saved; training goes on from the
            // last step's weights (last.ckpt), the average beside them (average.ckpt).
            Map<String, float[]> trained = average == null ? null : Weights.snapshot(net);
            if (average != null) Weights.restore(net, average.values());
            double score = task.validate();
            // NaN: the task does not validate; each epoch is then the best so far, and the last one is kept.
            boolean improved = Double.isNaN(score) || score > best;
            if (improved) {
                best = score;
                bestWeights = Weights.snapshot(net);
            }
            if (cfg.keepLast()) {
                lastWeights = Weights.snapshot(net);
                lastScore = score;
            }
            checkpoints.saveEvaluated(net, epoch, best, improved, average != null);
            if (trained != null) Weights.restore(net, trained);
            checkpoints.saveLast(net, optimizer, epoch, best);
            double elapsed = (System.nanoTime() - t0) / 1e9, perEpoch = elapsed / (epoch - firstEpoch + 1);
            listener.epoch(new EpochReport(
                    epoch,
                    cfg.epochs(),
                    lossSum / Math.max(1, steps),
                    score,
                    task.metric(),
                    improved && !Double.isNaN(score), // an unscored epoch is kept, not called the best
                    elapsed,
                    perEpoch * (cfg.epochs() - epoch),
                    secondsPerStep));
            task.notes().forEach(listener::note);
            if (patience.stop(improved)) {
                stoppedEarly = true;
                epoch++;
                break;
            }
        }
        listener.progress(all, all);
        BufferPool.clear(); // the step's recycled arrays: nothing else will ask for them
        boolean last = cfg.keepLast() && lastWeights != null && diverged == null;
        Weights.restore(net, last ? lastWeights : bestWeights);
        net.setFrozen(false);
        return new Outcome(
                epoch - firstEpoch, last ? lastScore : best, task.metric(), cancelled, stoppedEarly, diverged);
    }

    /** Why training stopped on a non-finite loss, and what to do. */
    private static String divergence(double loss, int epoch, int step, double rate) {
        return "the loss became " + loss + " at epoch " + epoch + ", step " + (step + 1) + " (learning rate "
                + String.format(Locale.ROOT, "%.3g", rate)
                + "); the best model so far was kept. Lower the learning rate and resume";
    }
}
