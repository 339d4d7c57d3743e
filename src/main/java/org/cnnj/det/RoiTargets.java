package org.cnnj.det;

import java.util.Arrays;
import org.cnnj.util.Rng;

/**
 * Training targets of the box head for one image: proposals (plus the ground-truth boxes themselves, so
 * the head sees good examples from the first step) are labelled with the class of the box they overlap
 * by IoU ≥ 0.5, else background (0); a sample of at most {@code perImage} ROIs, at most a quarter
 * foreground, is kept. Foreground ROIs regress to their box (class-agnostic, weights 10, 10, 5, 5).
 */
public final class RoiTargets {
    public static final float FOREGROUND_IOU = 0.5f;

    /**
     * boxes [K, 4], labels [K] (class + 1, or 0), deltas [K, 4] with weights 1 for foreground rows, the truth box each
     * foreground row matched (-1 for background).
     */
    public record Sample(float[] boxes, int[] labels, float[] deltas, float[] deltaWeights, int[] objects) {
        public int count() {
            return labels.length;
        }
    }

    private RoiTargets() {}

    static Sample sample(
            float[] proposals, float[] truth, int[] truthClasses, int perImage, float foregroundFraction, Rng rng) {
        float[] rois = Arrays.copyOf(proposals, proposals.length + truth.length);
        System.arraycopy(truth, 0, rois, proposals.length, truth.length);
        int count = rois.length / 4;
        int[] match = new int[count];
        boolean[] foreground = new boolean[count];
        int fg = 0;
        for (int i = 0; i < count; i++) {
            float best = 0f;
            match[i] = -1;
            for (int b = 0; b < truth.length / 4; b++) {
                float iou = Boxes.iou(rois, i, truth, b);
                if (iou > best) {
                    best = iou;
                    match[i] = b;
                }
            }
            foreground[i] = best >= FOREGROUND_IOU;
            if (foreground[i]) fg++;
        }
        int[] fgIndex = new int[fg], bgIndex = new int[count - fg];
        for (int i = 0, f = 0, b = 0; i < count; i++) {
            if (foreground[i]) fgIndex[f++] = i;
            else bgIndex[b++] = i;
        }
        int takeFg = Math.min(fg, Math.round(perImage * foregroundFraction)),
                takeBg = Math.min(bgIndex.length, perImage - takeFg);
        RpnTargets.partialShuffle(fgIndex, takeFg, rng);
        RpnTargets.partialShuffle(bgIndex, takeBg, rng);
        int k = takeFg + takeBg;
        float[] boxes = new float[4 * k], deltas = new float[4 * k], deltaWeights = new float[4 * k];
        int[] labels = new int[k], objects = new int[k];
        Arrays.fill(objects, -1);
        for (int s = 0; s < k; s++) {
            int i = s < takeFg ? fgIndex[s] : bgIndex[s - takeFg];
            System.arraycopy(rois, 4 * i, boxes, 4 * s, 4);
            if (s < takeFg) {
                labels[s] = truthClasses[match[i]] + 1;
                objects[s] = match[i];
                Boxes.encode(rois, i, truth, match[i], DetectorHead.DELTA_WEIGHTS, deltas, 4 * s);
                Arrays.fill(deltaWeights, 4 * s, 4 * s + 4, 1f);
            }
        }
        return new Sample(boxes, labels, deltas, deltaWeights, objects);
    }
}
