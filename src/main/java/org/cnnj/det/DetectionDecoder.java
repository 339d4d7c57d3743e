package org.cnnj.det;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the head's outputs for K proposals into detections: softmax over classes, the proposal refined
 * by the box deltas and clipped to the image, every class scoring at least {@code scoreThreshold}
 * becomes a candidate, then per-class NMS keeps at most {@code maxDetections}.
 *
 * <p>Shapes: proposals [K, 4]; class logits [K, classes + 1]; box deltas [K, 4].
 */
public final class DetectionDecoder {
    private DetectionDecoder() {}

    static List<Detection> decode(
            float[] proposals,
            float[] classLogits,
            float[] boxDeltas,
            List<String> classNames,
            int imageWidth,
            int imageHeight,
            float scoreThreshold,
            float nmsIou,
            int maxDetections) {
        int k = proposals.length / 4, columns = classNames.size() + 1;
        List<float[]> boxes = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        float[] refined = new float[4];
        double[] probabilities = new double[columns];
        for (int r = 0; r < k; r++) {
            softmax(classLogits, r * columns, columns, probabilities);
            boolean decoded = false;
            for (int c = 1; c < columns; c++) {
                if (probabilities[c] < scoreThreshold) continue;
                if (!decoded) {
                    Boxes.decode(
                            proposals,
                            r,
                            boxDeltas[4 * r],
                            boxDeltas[4 * r + 1],
                            boxDeltas[4 * r + 2],
                            boxDeltas[4 * r + 3],
                            DetectorHead.DELTA_WEIGHTS,
                            refined,
                            0);
                    Boxes.clip(refined, 0, imageWidth, imageHeight);
                    decoded = true;
                }
                if (refined[2] - refined[0] < 1f || refined[3] - refined[1] < 1f) break;
                boxes.add(refined.clone());
                scores.add((float) probabilities[c]);
                classes.add(c - 1);
            }
        }
        return Nms.detections(boxes, scores, classes, classNames, nmsIou, maxDetections);
    }

    private static void softmax(float[] logits, int offset, int n, double[] out) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[offset + i]);
        for (int i = 0; i < n; i++) sum += out[i] = Math.exp(logits[offset + i] - max);
        for (int i = 0; i < n; i++) out[i] /= sum;
    }
}
