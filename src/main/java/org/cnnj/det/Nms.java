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
        // The boxes copied into score order, one array per coordinate: the inner loop then reads memory in sequence
        // (it visits every later box of thousands of proposals) instead of jumping through the order.
        float[] x1 = new float[n], y1 = new float[n], x2 = new float[n], y2 = new float[n], area = new float[n];
        int[] cls = classes == null ? null : new int[n];
        for (int k = 0; k < n; k++) {
            int i = order[k];
            x1[k] = boxes[4 * i];
            y1[k] = boxes[4 * i + 1];
            x2[k] = boxes[4 * i + 2];
            y2[k] = boxes[4 * i + 3];
            area[k] = Boxes.area(boxes, i);
            if (cls != null) cls[k] = classes[i];
        }
        int[] kept = new int[Math.min(n, maxKeep)];
        int count = 0;
        boolean[] removed = new boolean[n];
        for (int a = 0; a < n && count < kept.length; a++) {
            if (removed[a]) continue;
            kept[count++] = order[a];
            float ax1 = x1[a], ay1 = y1[a], ax2 = x2[a], ay2 = y2[a], aArea = area[a];
            for (int b = a + 1; b < n; b++) {
                if (removed[b] || (cls != null && cls[a] != cls[b])) continue;
                float iw = Math.min(ax2, x2[b]) - Math.max(ax1, x1[b]);
                if (iw <= 0) continue;
                float ih = Math.min(ay2, y2[b]) - Math.max(ay1, y1[b]);
                if (ih <= 0) continue;
                float inter = iw * ih;
                if (inter > iouThreshold * (aArea + area[b] - inter)) removed[b] = true;
            }
        }
        return Arrays.copyOf(kept, count);
    }
}
