package org.cnnj.seg;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Object-level scores of predicted label images against ground truth, as the Data Science Bowl 2018
 * and StarDist report them: AP at IoU t = TP / (TP + FP + FN) (matches one-to-one for t ≥ 0.5), the DSB
 * score (mean AP over t = 0.50, 0.55, …, 0.95), precision and recall at 0.5; plus the two errors that
 * matter for touching objects: a merge is a prediction that overlaps two or more true objects with
 * IoU ≥ 0.3 each, a split a true object that two or more predictions overlap so.
 */
public final class ObjectScores {
    /** IoU thresholds of the DSB score. */
    public static final double[] THRESHOLDS = {0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95};
    /** IoU at or above which an overlap counts towards a merge or a split. */
    public static final double MERGE_IOU = 0.3;

    /** One image: true and predicted object counts, true positives at each threshold, merges and splits. */
    public record Image(int truths, int predictions, int[] truePositives, int merges, int splits) {
        public double averagePrecision(int thresholdIndex) {
            int tp = truePositives[thresholdIndex], denominator = truths + predictions - tp;
            return denominator == 0 ? 1 : (double) tp / denominator;
        }

        /** Mean AP over the thresholds. */
        public double dsbScore() {
            double s = 0;
            for (int t = 0; t < THRESHOLDS.length; t++) s += averagePrecision(t);
            return s / THRESHOLDS.length;
        }
    }

    /** Over a set of images: pooled AP@0.5 (counts summed first), mean per-image AP@0.5, mean DSB score, precision, recall, merges, splits. */
    public record Summary(
            int images,
            int truths,
            int predictions,
            double pooledAp50,
            double meanAp50,
            double dsbScore,
            double precision,
            double recall,
            int merges,
            int splits) {}

    private ObjectScores() {}

    public static Image score(int[] truth, int[] predicted) {
        Overlaps o = new Overlaps(truth, predicted);
        int[] tp = new int[THRESHOLDS.length];
        Map<Integer, Integer> truthsPerPrediction = new HashMap<>(), predictionsPerTruth = new HashMap<>();
        o.forEachPair((pair, iou) -> {
            for (int k = 0; k < THRESHOLDS.length; k++) if (iou > THRESHOLDS[k]) tp[k]++;
            if (iou >= MERGE_IOU) {
                truthsPerPrediction.merge((int) (long) pair, 1, Integer::sum);
                predictionsPerTruth.merge((int) (pair >>> 32), 1, Integer::sum);
            }
        });
        int merges =
                (int) truthsPerPrediction.values().stream().filter(n -> n >= 2).count();
        int splits =
                (int) predictionsPerTruth.values().stream().filter(n -> n >= 2).count();
        return new Image(o.truthArea.size(), o.predictedArea.size(), tp, merges, splits);
    }

    public static Summary summarize(List<Image> images) {
        int truths = 0, predictions = 0, tp = 0, merges = 0, splits = 0;
        double meanAp = 0, dsb = 0;
        for (Image i : images) {
            truths += i.truths();
            predictions += i.predictions();
            tp += i.truePositives()[0];
            merges += i.merges();
            splits += i.splits();
            meanAp += i.averagePrecision(0);
            dsb += i.dsbScore();
        }
        int n = Math.max(1, images.size()), denominator = truths + predictions - tp;
        return new Summary(
                images.size(),
                truths,
                predictions,
                denominator == 0 ? 1 : (double) tp / denominator,
                meanAp / n,
                dsb / n,
                predictions == 0 ? 1 : (double) tp / predictions,
                truths == 0 ? 1 : (double) tp / truths,
                merges,
                splits);
    }
}
