package org.cnnj.seg;

/**
 * Object-level accuracy of a predicted label image against ground truth: a prediction matches a true
 * object when their IoU exceeds the threshold (above 0.5 a match is necessarily one-to-one).
 * AP at that threshold = TP / (TP + FP + FN), the Data Science Bowl 2018 / StarDist definition.
 */
public final class InstanceMatching {
    /** Counts and scores at one IoU threshold. */
    public record Result(
            double threshold, int truePositives, int falsePositives, int falseNegatives, double meanMatchedIou) {
        public double averagePrecision() {
            int denominator = truePositives + falsePositives + falseNegatives;
            return denominator == 0 ? 1.0 : (double) truePositives / denominator;
        }

        public double precision() {
            return truePositives + falsePositives == 0
                    ? 1.0
                    : (double) truePositives / (truePositives + falsePositives);
        }

        public double recall() {
            return truePositives + falseNegatives == 0
                    ? 1.0
                    : (double) truePositives / (truePositives + falseNegatives);
        }
    }

    private InstanceMatching() {}

    public static Result match(int[] truth, int[] predicted, double threshold) {
        if (threshold < 0.5)
            throw new IllegalArgumentException(
                    "instance matching: IoU threshold must be >= 0.5 for one-to-one matches, got " + threshold);
        Overlaps o = new Overlaps(truth, predicted);
        int[] tp = {0};
        double[] iouSum = {0};
        o.forEachPair((pair, iou) -> {
            if (iou > threshold) {
                tp[0]++;
                iouSum[0] += iou;
            }
        });
        return new Result(
                threshold,
                tp[0],
                o.predictedArea.size() - tp[0],
                o.truthArea.size() - tp[0],
                tp[0] == 0 ? 0 : iouSum[0] / tp[0]);
    }
}
