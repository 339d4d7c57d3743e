package org.cnnj.det;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.FloatMath;

/**
 * Detections from a one-stage detector's levels for one image (tile): at every location each class's score is
 * √(σ(class) · σ(centre-ness)) (centre-ness demotes boxes predicted far from an object's middle); locations above
 * the threshold give a box from their distances (e^value · stride), cut at the tile's edges; a per-class NMS keeps
 * the best. Shapes: levels [1, K + 5, h, w] as {@link OneStageNetwork#levels} gives them.
 */
final class OneStageDecoder {
    /** Candidates per level before NMS, best first (a dense detector proposes many near-duplicates). */
    static final int CANDIDATES = 2000;

    private OneStageDecoder() {}

    static List<Detection> decode(
            List<Tensor> levels, List<String> names, int width, int height, ObjectDetector.Options o) {
        int k = names.size();
        List<float[]> boxes = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int l = 0; l < levels.size(); l++) {
            Tensor t = levels.get(l);
            int h = t.dim(2), w = t.dim(3), plane = h * w, s = OneStageConfig.STRIDES[l];
            float[] v = t.data();
            List<float[]> found = new ArrayList<>(); // score, class, location
            for (int q = 0; q < plane; q++) {
                float ctr = FloatMath.sigmoid(v[k * plane + q]);
                for (int c = 0; c < k; c++) {
                    float score = (float) Math.sqrt(FloatMath.sigmoid(v[c * plane + q]) * ctr);
                    if (score >= o.scoreThreshold()) found.add(new float[] {score, c, q});
                }
            }
            found.sort((a, b) -> Float.compare(b[0], a[0]));
            for (float[] f : found.subList(0, Math.min(CANDIDATES, found.size()))) {
                int q = (int) f[2];
                float x = s * (q % w + 0.5f), y = s * (q / w + 0.5f);
                float x1 = Math.max(0, x - distance(v, k + 1, q, plane, s)),
                        y1 = Math.max(0, y - distance(v, k + 2, q, plane, s)),
                        x2 = Math.min(width, x + distance(v, k + 3, q, plane, s)),
                        y2 = Math.min(height, y + distance(v, k + 4, q, plane, s));
                if (x2 - x1 < 1 || y2 - y1 < 1) continue;
                boxes.add(new float[] {x1, y1, x2, y2});
                scores.add(f[0]);
                classes.add((int) f[1]);
            }
        }
        return Nms.detections(boxes, scores, classes, names, o.nmsIou(), o.maxDetections());
    }

    private static float distance(float[] v, int channel, int q, int plane, int stride) {
        return (float) Math.exp(Math.min(10, v[channel * plane + q])) * stride;
    }
}
