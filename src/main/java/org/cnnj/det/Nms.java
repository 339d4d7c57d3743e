package org.cnnj.det;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy non-maximum suppression: visit boxes by falling score, keep one unless it overlaps a kept
 * box by more than the IoU threshold. Runs in Java (not as ONNX NonMaxSuppression) because it also
 * merges detections across tiles, which no single network run sees.
 */
public final class Nms {
    private Nms() {}

    /**
     * The candidates (boxes [x1, y1, x2, y2], scores, class indices into {@code names}) that a class-wise NMS keeps, as
     * detections, best first.
     */
    static List<Detection> detections(
            List<float[]> boxes, List<Float> scores, List<Integer> classes, List<String> names, float iou, int max) {
        float[] flat = new float[4 * boxes.size()], s = new float[boxes.size()];
        int[] cls = new int[boxes.size()];
        for (int i = 0; i < s.length; i++) {
            System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
            s[i] = scores.get(i);
            cls[i] = classes.get(i);
        }
        List<Detection> out = new ArrayList<>();
        for (int i : keep(flat, s, cls, iou, max)) {
            out.add(new Detection(
                    cls[i], names.get(cls[i]), s[i], flat[4 * i], flat[4 * i + 1], flat[4 * i + 2], flat[4 * i + 3]));
        }
        return out;
    }

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
        float[] area = new float[n];
        for (int i = 0; i < n; i++) area[i] = Boxes.area(boxes, i);
        for (int oi = 0; oi < n && count < kept.length; oi++) {
            int i = order[oi];
            if (removed[i]) continue;
            kept[count++] = i;
            float x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
            for (int oj = oi + 1; oj < n; oj++) {
                int j = order[oj];
                if (removed[j] || (classes != null && classes[i] != classes[j])) continue;
                float iw = Math.min(x2, boxes[4 * j + 2]) - Math.max(x1, boxes[4 * j]);
                if (iw <= 0) continue;
                float ih = Math.min(y2, boxes[4 * j + 3]) - Math.max(y1, boxes[4 * j + 1]);
                if (ih <= 0) continue;
                float inter = iw * ih;
                if (inter > iouThreshold * (area[i] + area[j] - inter)) removed[j] = true;
            }
        }
        return Arrays.copyOf(kept, count);
    }
}
