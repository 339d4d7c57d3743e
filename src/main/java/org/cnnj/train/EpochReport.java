package org.cnnj.train;

import java.util.Locale;

/**
 * One finished epoch of any task's training, as the log line, the CSV row, the plot and the progress
 * bar show it: mean training loss, the validation score ({@code metric} names it: IoU, AP@0.5, mAP@0.5),
 * whether it is the best so far, its time, the time left and the time per training step (validation and
 * checkpoints not counted: what to compare with {@code cnnj bench}).
 */
public record EpochReport(
        int epoch,
        int epochs,
        double trainLoss,
        double validationScore,
        String metric,
        boolean improved,
        double seconds,
        double etaSeconds,
        double secondsPerStep) {
    /** Whether the epoch was scored (a training with {@code --validation 0} is not). */
    public boolean validated() {
        return !Double.isNaN(validationScore);
    }

    /** "validation AP@0.5 0.8500", or "no validation". */
    public String score() {
        return validated()
                ? String.format(Locale.ROOT, "validation %s %.4f", metric, validationScore)
                : "no validation";
    }

    /** The command line's line for it, e.g. {@code epoch 3/20  loss 0.1234  validation IoU 0.8500  (best)  12 s  ETA 204 s  0.21 s/step}. */
    public String line() {
        return String.format(
                Locale.ROOT,
                "epoch %d/%d  loss %.4f  %s%s  %.0f s  ETA %.0f s  %.2f s/step",
                epoch,
                epochs,
                trainLoss,
                score(),
                improved ? "  (best)" : "",
                seconds,
                etaSeconds,
                secondsPerStep);
    }
}
