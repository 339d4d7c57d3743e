package org.cnnj.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * Object-level accuracy of a predicted label image against ground truth: a prediction matches a true
 * object when their IoU exceeds the threshold (above 0.5 a match is necessarily one-to-one).
 * AP at that threshold = TP / (TP + FP + FN), the Data Science Bowl 2018 / StarDist definition.
 */
public final class InstanceMatching {
    /** Counts and scores at one IoU threshold. */
    public record Result(double threshold, int truePositives, int falsePositives, int falseNegatives, double meanMatchedIou) {
        public double averagePrecision() {
            int denominator = truePositives + falsePositives + falseNegatives;
            return denominator == 0 ? 1.0 : (double) truePositives / denominator;
        }

        public double precision() {
            return truePositives + falsePositives == 0 ? 1.0 : (double) truePositives / (truePositives + falsePositives);
        }

        public double recall() {
            return truePositives + falseNegatives == 0 ? 1.0 : (double) truePositives / (truePositives + falseNegatives);
        }
    }

    private InstanceMatching() {}

    public static Result match(int[] truth, int[] predicted, double threshold) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("instance matching: ground truth has " + truth.length + " pixels but the prediction "
                    + predicted.length + "; compare label images of the same size");
        }
        if (threshold < 0.5) throw new IllegalArgumentException("instance matching: IoU threshold must be >= 0.5 for one-to-one matches, got " + threshold);
        Map<Integer, Integer> truthArea = new HashMap<>(), predArea = new HashMap<>();
        Map<Long, Integer> overlap = new HashMap<>();
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i], p = predicted[i];
            if (t != 0) truthArea.merge(t, 1, Integer::sum);
            if (p != 0) predArea.merge(p, 1, Integer::sum);
            if (t != 0 && p != 0) overlap.merge(((long) t << 32) | p, 1, Integer::sum);
        }
        int tp = 0;
        double iouSum = 0;
        for (Map.Entry<Long, Integer> e : overlap.entrySet()) {
            int t = (int) (e.getKey() >>> 32), p = (int) (long) e.getKey();
            double inter = e.getValue();
            double iou = inter / (truthArea.get(t) + predArea.get(p) - inter);
            if (iou > threshold) {
                tp++;
                iouSum += iou;
            }
        }
        return new Result(threshold, tp, predArea.size() - tp, truthArea.size() - tp, tp == 0 ? 0 : iouSum / tp);
    }
}
