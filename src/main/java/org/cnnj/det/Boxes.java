package org.cnnj.det;

import java.util.List;

/**
 * Axis-aligned boxes stored flat, 4 floats each: x1, y1, x2, y2 in pixels (continuous coordinates:
 * pixel i spans [i, i+1)). Box regression uses Faster R-CNN's parametrization relative to a reference
 * box (anchor or proposal): dx = wx·(cx − cxᵣ)/wᵣ, dy likewise, dw = ww·log(w/wᵣ), dh likewise.
 */
public final class Boxes {
    /** Largest log-scale a decoded delta may apply (as torchvision: log(1000/16)), so early training cannot overflow exp. */
    private static final float MAX_LOG_SCALE = (float) Math.log(1000.0 / 16);

    private Boxes() {}

    /** The detections' boxes, flat. */
    static float[] of(List<Detection> detections) {
        float[] out = new float[4 * detections.size()];
        for (int i = 0; i < detections.size(); i++) {
            Detection d = detections.get(i);
            out[4 * i] = d.x1();
            out[4 * i + 1] = d.y1();
            out[4 * i + 2] = d.x2();
            out[4 * i + 3] = d.y2();
        }
        return out;
    }

    public static float area(float[] b, int i) {
        return Math.max(0f, b[4 * i + 2] - b[4 * i]) * Math.max(0f, b[4 * i + 3] - b[4 * i + 1]);
    }

    public static float iou(float[] a, int i, float[] b, int j) {
        float iw = Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]);
        float ih = Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]);
        if (iw <= 0 || ih <= 0) return 0f;
        float inter = iw * ih, union = area(a, i) + area(b, j) - inter;
        return union <= 0 ? 0f : inter / union;
    }

    /** Deltas that turn reference box {@code r} of {@code refs} into box {@code t} of {@code targets}; written to out[o..o+3]. */
    static void encode(float[] refs, int r, float[] targets, int t, float[] weights, float[] out, int o) {
        float rw = refs[4 * r + 2] - refs[4 * r], rh = refs[4 * r + 3] - refs[4 * r + 1];
        float rx = refs[4 * r] + 0.5f * rw, ry = refs[4 * r + 1] + 0.5f * rh;
        float tw = targets[4 * t + 2] - targets[4 * t], th = targets[4 * t + 3] - targets[4 * t + 1];
        float tx = targets[4 * t] + 0.5f * tw, ty = targets[4 * t + 1] + 0.5f * th;
        out[o] = weights[0] * (tx - rx) / rw;
        out[o + 1] = weights[1] * (ty - ry) / rh;
        out[o + 2] = weights[2] * (float) Math.log(tw / rw);
        out[o + 3] = weights[3] * (float) Math.log(th / rh);
    }

    /** The inverse of {@link #encode}: applies deltas (dx, dy, dw, dh) to reference box {@code r}; written to out[o..o+3]. */
    static void decode(
            float[] refs, int r, float dx, float dy, float dw, float dh, float[] weights, float[] out, int o) {
        float rw = refs[4 * r + 2] - refs[4 * r], rh = refs[4 * r + 3] - refs[4 * r + 1];
        float rx = refs[4 * r] + 0.5f * rw, ry = refs[4 * r + 1] + 0.5f * rh;
        float cx = dx / weights[0] * rw + rx, cy = dy / weights[1] * rh + ry;
        float w = (float) Math.exp(Math.min(dw / weights[2], MAX_LOG_SCALE)) * rw;
        float h = (float) Math.exp(Math.min(dh / weights[3], MAX_LOG_SCALE)) * rh;
        out[o] = cx - 0.5f * w;
        out[o + 1] = cy - 0.5f * h;
        out[o + 2] = cx + 0.5f * w;
        out[o + 3] = cy + 0.5f * h;
    }

    /** Keeps box {@code i} inside [0, width] × [0, height]. */
    public static void clip(float[] b, int i, int width, int height) {
        b[4 * i] = Math.min(Math.max(b[4 * i], 0f), width);
        b[4 * i + 1] = Math.min(Math.max(b[4 * i + 1], 0f), height);
        b[4 * i + 2] = Math.min(Math.max(b[4 * i + 2], 0f), width);
        b[4 * i + 3] = Math.min(Math.max(b[4 * i + 3], 0f), height);
    }

    /** IoU of every box in {@code a} with every box in {@code b}: [a count][b count]. */
    public static float[][] iouMatrix(float[] a, float[] b) {
        int na = a.length / 4, nb = b.length / 4;
        float[][] m = new float[na][nb];
        for (int i = 0; i < na; i++) for (int j = 0; j < nb; j++) m[i][j] = iou(a, i, b, j);
        return m;
    }
}
