package org.cnnj.det;

import org.cnnj.util.Rng;

/**
 * Training targets of the Region Proposal Network for one image: anchors with IoU ≥ 0.7 to a ground
 * truth box (and, per box, the anchors that overlap it best, so small objects get one too) are
 * positive, those with IoU < 0.3 negative, the rest ignored; then a balanced random sample of at most
 * {@code sampleSize} anchors, at most half positive, is scored. Positive anchors also regress to their box.
 *
 * <p>Layouts match the RPN outputs of one sample: objectness [A, H, W], deltas [4A, H, W].
 */
public final class RpnTargets {
    public static final float POSITIVE_IOU = 0.7f, NEGATIVE_IOU = 0.3f;

    /**
     * @param objectness   1 for positives, 0 otherwise
     * @param weights      1 for the sampled anchors, 0 for the others
     * @param deltas       regression targets (positives only)
     * @param deltaWeights 1 for the four deltas of each sampled positive
     */
    public record Targets(
            float[] objectness, float[] weights, float[] deltas, float[] deltaWeights, int positives, int sampled) {}

    private RpnTargets() {}

    public static Targets assign(float[] anchors, int plane, float[] truth, int sampleSize, Rng rng) {
        int count = anchors.length / 4, boxes = truth.length / 4;
        int[] match = new int[count];
        float[] bestPerBox = new float[boxes];
        byte[] label = new byte[count]; // 1 positive, 0 negative, -1 ignored
        for (int i = 0; i < count; i++) {
            float best = 0f;
            int arg = -1;
            for (int b = 0; b < boxes; b++) {
                float iou = Boxes.iou(anchors, i, truth, b);
                if (iou > best) {
                    best = iou;
                    arg = b;
                }
                if (iou > bestPerBox[b]) bestPerBox[b] = iou;
            }
            match[i] = arg;
            label[i] = (byte) (best >= POSITIVE_IOU ? 1 : best < NEGATIVE_IOU ? 0 : -1);
        }
        for (int i = 0; i < count; i++) { // low-quality matches: the best anchors of each box
            for (int b = 0; b < boxes; b++) {
                if (bestPerBox[b] > 0 && Boxes.iou(anchors, i, truth, b) == bestPerBox[b]) {
                    label[i] = 1;
                    match[i] = b;
                }
            }
        }
        int[] positives = indicesOf(label, (byte) 1), negatives = indicesOf(label, (byte) 0);
        int takePositive = Math.min(positives.length, sampleSize / 2);
        int takeNegative = Math.min(negatives.length, sampleSize - takePositive);
        partialShuffle(positives, takePositive, rng);
        partialShuffle(negatives, takeNegative, rng);

        float[] objectness = new float[count],
                weights = new float[count],
                deltas = new float[4 * count],
                deltaWeights = new float[4 * count];
        float[] encoded = new float[4];
        for (int k = 0; k < takePositive; k++) {
            int i = positives[k];
            objectness[i] = 1f;
            weights[i] = 1f;
            Boxes.encode(anchors, i, truth, match[i], Proposals.DELTA_WEIGHTS, encoded, 0);
            int a = i / plane, pos = i % plane;
            for (int j = 0; j < 4; j++) {
                deltas[(4 * a + j) * plane + pos] = encoded[j];
                deltaWeights[(4 * a + j) * plane + pos] = 1f;
            }
        }
        for (int k = 0; k < takeNegative; k++) weights[negatives[k]] = 1f;
        return new Targets(objectness, weights, deltas, deltaWeights, takePositive, takePositive + takeNegative);
    }

    private static int[] indicesOf(byte[] label, byte value) {
        int n = 0;
        for (byte l : label) if (l == value) n++;
        int[] out = new int[n];
        n = 0;
        for (int i = 0; i < label.length; i++) if (label[i] == value) out[n++] = i;
        return out;
    }

    /** Moves a uniform random choice of {@code take} elements to the front (Fisher–Yates, stopped early). */
    static void partialShuffle(int[] a, int take, Rng rng) {
        for (int i = 0; i < take; i++) {
            int j = i + rng.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
