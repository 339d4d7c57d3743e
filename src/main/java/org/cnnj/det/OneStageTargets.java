package org.cnnj.det;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.cnnj.onnx.TrainingLoss;

/**
 * What each location of a one-stage detector's pyramid should predict for a batch of boxes (FCOS's assignment with
 * centre sampling): a location is an object's when it lies inside the box and within 1.5 strides of its centre, at the
 * level the object's size belongs to ({@link OneStageConfig#levelSplit}); where boxes compete, the smallest wins; an
 * object that no location reaches so (smaller than a stride) gets the location nearest its centre. Shapes, per level:
 * classes [N, K, h, w] (one-hot), centre-ness [N·h·w] (√(min(l,r)/max(l,r) · min(t,b)/max(t,b)), 0 elsewhere),
 * distances [N, 4, h, w] (l, t, r, b in strides), positive [N·h·w] (1 or 0).
 */
final class OneStageTargets {
    /** One level's targets and its count of positive locations. */
    record Level(float[] classes, float[] centreness, float[] distances, float[] positive, int positives) {}

    static final float CENTRE_RADIUS = 1.5f;

    private OneStageTargets() {}

    /** The targets of level {@code level} (stride s, grid h × w) for each image's boxes [x1, y1, x2, y2]… and classes. */
    static Level of(OneStageConfig config, int level, int h, int w, float[][] boxes, int[][] classes) {
        int n = boxes.length, k = config.classCount(), plane = h * w, s = OneStageConfig.STRIDES[level];
        float[] cls = new float[n * k * plane],
                ctr = new float[n * plane],
                dist = new float[n * 4 * plane],
                pos = new float[n * plane];
        int positives = 0;
        for (int b = 0; b < n; b++) {
            float[] area = new float[plane];
            Arrays.fill(area, Float.POSITIVE_INFINITY);
            int[] owner = new int[plane];
            Arrays.fill(owner, -1);
            float[] bx = boxes[b];
            for (int o = 0; o < classes[b].length; o++) {
                float x1 = bx[4 * o], y1 = bx[4 * o + 1], x2 = bx[4 * o + 2], y2 = bx[4 * o + 3];
                float cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, a = (x2 - x1) * (y2 - y1);
                boolean claimed = false;
                for (int i = 0; i < h; i++) {
                    float y = s * (i + 0.5f);
                    if (Math.abs(y - cy) >= CENTRE_RADIUS * s || y <= y1 || y >= y2) continue;
                    for (int j = 0; j < w; j++) {
                        float x = s * (j + 0.5f);
                        if (Math.abs(x - cx) >= CENTRE_RADIUS * s || x <= x1 || x >= x2) continue;
                        if (levelOf(config, x - x1, y - y1, x2 - x, y2 - y) != level) continue;
                        claimed = true;
                        if (a < area[i * w + j]) {
                            area[i * w + j] = a;
                            owner[i * w + j] = o;
                        }
                    }
                }
                if (!claimed) { // smaller than a stride, or between locations: the one nearest its centre
                    int i = Math.min(h - 1, Math.max(0, (int) Math.floor(cy / s))),
                            j = Math.min(w - 1, Math.max(0, (int) Math.floor(cx / s)));
                    float x = s * (j + 0.5f), y = s * (i + 0.5f);
                    boolean inside = x > x1 && x < x2 && y > y1 && y < y2;
                    if (inside && levelOf(config, x - x1, y - y1, x2 - x, y2 - y) == level && a < area[i * w + j]) {
                        area[i * w + j] = a;
                        owner[i * w + j] = o;
                    }
                }
            }
            for (int q = 0; q < plane; q++) {
                int o = owner[q];
                if (o < 0) continue;
                float x = s * (q % w + 0.5f), y = s * (q / w + 0.5f);
                float l = x - bx[4 * o], t = y - bx[4 * o + 1], r = bx[4 * o + 2] - x, d = bx[4 * o + 3] - y;
                cls[(b * k + classes[b][o]) * plane + q] = 1;
                ctr[b * plane + q] =
                        (float) Math.sqrt(Math.min(l, r) / Math.max(l, r) * Math.min(t, d) / Math.max(t, d));
                float[] side = {l, t, r, d};
                for (int c = 0; c < 4; c++) dist[(b * 4 + c) * plane + q] = side[c] / s;
                pos[b * plane + q] = 1;
                positives++;
            }
        }
        return new Level(cls, ctr, dist, pos, positives);
    }

    /**
     * The targets of every level of a {@code patch} × {@code patch} batch laid end to end along the positions, as
     * {@link OneStageNetwork#flat} lays out the outputs and the training graph's loss (onnx.TrainingLoss.
     * OneStageDetection) reads them, by its target names: classes [N, K, P], centre-ness, positive [N, 1, P],
     * distances [N, 4, P].
     */
    static Map<String, float[]> flat(OneStageConfig config, int patch, float[][] boxes, int[][] classes) {
        int levels = OneStageConfig.STRIDES.length, n = boxes.length;
        Level[] each = new Level[levels];
        int[] planes = new int[levels];
        for (int l = 0; l < levels; l++) {
            int side = patch / OneStageConfig.STRIDES[l];
            each[l] = of(config, l, side, side, boxes, classes);
            planes[l] = side * side;
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put(TrainingLoss.OneStageDetection.CLASSES, join(each, Level::classes, n, config.classCount(), planes));
        out.put(TrainingLoss.OneStageDetection.CENTRENESS, join(each, Level::centreness, n, 1, planes));
        out.put(TrainingLoss.OneStageDetection.DISTANCES, join(each, Level::distances, n, 4, planes));
        out.put(TrainingLoss.OneStageDetection.POSITIVE, join(each, Level::positive, n, 1, planes));
        return out;
    }

    /** Per-level arrays [N, C, plane_l] → [N, C, Σ plane_l]. */
    private static float[] join(Level[] levels, Function<Level, float[]> part, int n, int channels, int[] planes) {
        int total = Arrays.stream(planes).sum();
        float[] out = new float[n * channels * total];
        for (int b = 0; b < n; b++)
            for (int c = 0; c < channels; c++) {
                int at = (b * channels + c) * total;
                for (int l = 0; l < levels.length; l++) {
                    System.arraycopy(part.apply(levels[l]), (b * channels + c) * planes[l], out, at, planes[l]);
                    at += planes[l];
                }
            }
        return out;
    }

    /** The level an object's distances from a location belong to. */
    static int levelOf(OneStageConfig config, float l, float t, float r, float b) {
        return Math.max(Math.max(l, r), Math.max(t, b)) <= config.levelSplit() ? 0 : 1;
    }
}
