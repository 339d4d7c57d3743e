package org.cnnj.train;

/**
 * One finished epoch of any task's training, as the log line, the CSV row, the plot and the progress
 * bar show it: mean training loss, the validation score ({@code metric} names it: IoU, AP@0.5, mAP@0.5),
 * whether it is the best so far, its time and the time left.
 */
public record EpochReport(
        int epoch,
        int epochs,
        double trainLoss,
        double validationScore,
        String metric,
        boolean improved,
        double seconds,
        double etaSeconds) {}
