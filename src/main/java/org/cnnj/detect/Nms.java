package org.cnnj.detect;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression: visit boxes by falling score, keep one unless it overlaps a kept
 * box by more than the IoU threshold. Runs in Java (not as ONNX NonMaxSuppression) because it also
 * merges detections across tiles, which no single network run sees.
 */
public final class Nms {
    private Nms() {}

    /** Indices of the kept boxes, best first, at most {@code maxKeep}. */
    public static int[] keep(float[] boxes, float[] scores, float iouThreshold, int maxKeep) {
        return keep(boxes, scores, null, iouThreshold, maxKeep);
    }

    /** As {@link #keep(float[], float[], float, int)}, but boxes of different classes never suppress each other. */
    public static int[] keep(float[] boxes, float[] scores, int[] classes, float iouThreshold, int maxKeep) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] kept = new int[Math.min(n, maxKeep)];
        int count = 0;
        boolean[] removed = new boolean[n];
        for (int oi = 0; oi < n && count < kept.length; oi++) {
            int i = order[oi];
            if (removed[i]) continue;
            kept[count++] = i;
            for (int oj = oi + 1; oj < n; oj++) {
                int j = order[oj];
                if (!removed[j] && (classes == null || classes[i] == classes[j]) && Boxes.iou(boxes, i, boxes, j) > iouThreshold) {
                    removed[j] = true;
                }
            }
        }
        return Arrays.copyOf(kept, count);
    }
}
