package org.cnnj.det;

import java.util.ArrayList;
import java.util.List;

/**
 * Detection average precision per class at one IoU threshold (PASCAL VOC 2010+ style): detections of a
 * class over all images, by falling score, each matched to the best-overlapping still unmatched true box
 * of that class in its image (IoU ≥ threshold → true positive, else false positive); AP is the area
 * under the precision–recall curve with precision made monotone. mAP is the mean over classes that
 * have true boxes.
 */
public final class MeanAveragePrecision {
    /** AP per class (NaN for a class with no true boxes), their mean, and the counts behind them. */
    public record Result(
            double[] averagePrecision, double mean, int[] truths, int[] truePositives, int[] falsePositives) {}

    private MeanAveragePrecision() {}

    /**
     * @param detections per image, what the detector found
     * @param truthBoxes per image, 4 floats per true box
     * @param truthClasses per image, the class of each true box
     */
    public static Result evaluate(
            List<List<Detection>> detections,
            List<float[]> truthBoxes,
            List<int[]> truthClasses,
            int classes,
            float iouThreshold) {
        if (detections.size() != truthBoxes.size() || truthBoxes.size() != truthClasses.size()) {
            throw new IllegalArgumentException(
                    "mAP: " + detections.size() + " detection lists for " + truthBoxes.size() + " annotated images");
        }
        double[] ap = new double[classes];
        int[] truths = new int[classes], tps = new int[classes], fps = new int[classes];
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            List<float[]> ranked = new ArrayList<>(); // score, image, index
            for (int img = 0; img < detections.size(); img++) {
                List<Detection> ds = detections.get(img);
                for (int i = 0; i < ds.size(); i++)
                    if (ds.get(i).classIndex() == c)
                        ranked.add(new float[] {ds.get(i).score(), img, i});
                for (int k : truthClasses.get(img)) if (k == c) truths[c]++;
            }
            ranked.sort((a, b) -> Float.compare(b[0], a[0]));
            boolean[][] used = new boolean[detections.size()][];
            for (int img = 0; img < used.length; img++) used[img] = new boolean[truthClasses.get(img).length];
            double[] precision = new double[ranked.size()], recall = new double[ranked.size()];
            int tp = 0, fp = 0;
            for (int r = 0; r < ranked.size(); r++) {
                int img = (int) ranked.get(r)[1];
                Detection d = detections.get(img).get((int) ranked.get(r)[2]);
                float[] box = {d.x1(), d.y1(), d.x2(), d.y2()};
                int best = -1;
                float bestIou = iouThreshold;
                int[] tc = truthClasses.get(img);
                for (int t = 0; t < tc.length; t++) {
                    if (tc[t] != c || used[img][t]) continue;
                    float iou = Boxes.iou(box, 0, truthBoxes.get(img), t);
                    if (iou >= bestIou) {
                        bestIou = iou;
                        best = t;
                    }
                }
                if (best >= 0) {
                    used[img][best] = true;
                    tp++;
                } else {
                    fp++;
                }
                precision[r] = (double) tp / (tp + fp);
                recall[r] = truths[c] == 0 ? 0 : (double) tp / truths[c];
            }
            tps[c] = tp;
            fps[c] = fp;
            if (truths[c] == 0) {
                ap[c] = Double.NaN;
                continue;
            }
            ap[c] = area(precision, recall);
            sum += ap[c];
            counted++;
        }
        return new Result(ap, counted == 0 ? 0 : sum / counted, truths, tps, fps);
    }

    private static double area(double[] precision, double[] recall) {
        int n = precision.length;
        double[] p = precision.clone();
        for (int i = n - 2; i >= 0; i--) p[i] = Math.max(p[i], p[i + 1]);
        double area = 0, previousRecall = 0;
        for (int i = 0; i < n; i++) {
            area += (recall[i] - previousRecall) * p[i];
            previousRecall = recall[i];
        }
        return area;
    }
}
