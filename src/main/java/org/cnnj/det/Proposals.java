package org.cnnj.det;

import java.util.Arrays;

/**
 * The RPN's proposal stage for one image: decode every anchor's deltas, keep the {@code preNms} best by
 * objectness, clip to the image, drop boxes narrower than {@code minSize}, suppress overlaps above
 * {@code nmsIou} and keep at most {@code postNms}. Runs on plain arrays (no gradient), in training and
 * at inference alike.
 *
 * <p>Layout: objectness [A, H, W] and deltas [4A, H, W] of one sample, starting at the given offsets.
 */
public final class Proposals {
    /** Box-delta weights of the RPN (1, 1, 1, 1 as in Faster R-CNN). */
    public static final float[] DELTA_WEIGHTS = {1f, 1f, 1f, 1f};

    /** How many proposals survive each filter. */
    public record Limits(int preNms, int postNms, float nmsIou, float minSize) {
        public static final Limits TRAINING = new Limits(2000, 256, 0.7f, 1f);
        public static final Limits INFERENCE = new Limits(6000, 1000, 0.7f, 1f);

        /**
         * The same counts per pixel for an image (tile) of {@code pixels}: scaled up with its area beyond a 512-px
         * tile, so that a larger tile of a dense scene keeps as many proposals per object as 512-px tiles gave it.
         */
        public Limits forPixels(long pixels) {
            int tile = ObjectDetector.Options.DEFAULT_TILE; // the inference tiles the counts are set for
            double f = Math.max(1, pixels / ((double) tile * tile));
            return new Limits((int) Math.ceil(preNms * f), (int) Math.ceil(postNms * f), nmsIou, minSize);
        }
    }

    /** Boxes (4 per proposal) and their objectness probabilities, best first. */
    public record Result(float[] boxes, float[] scores) {
        public int count() {
            return scores.length;
        }
    }

    private Proposals() {}

    static Result of(
            float[] objectness,
            int objectnessOffset,
            float[] deltas,
            int deltasOffset,
            float[] anchors,
            int anchorsPerLocation,
            int featureHeight,
            int featureWidth,
            int imageWidth,
            int imageHeight,
            Limits limits) {
        int plane = featureHeight * featureWidth, count = anchorsPerLocation * plane;
        int[] best = topIndices(objectness, objectnessOffset, count, limits.preNms());
        float[] boxes = new float[4 * best.length], scores = new float[best.length];
        int kept = 0;
        for (int i : best) {
            int a = i / plane, pos = i % plane, d = deltasOffset + 4 * a * plane + pos;
            Boxes.decode(
                    anchors,
                    i,
                    deltas[d],
                    deltas[d + plane],
                    deltas[d + 2 * plane],
                    deltas[d + 3 * plane],
                    DELTA_WEIGHTS,
                    boxes,
                    4 * kept);
            Boxes.clip(boxes, kept, imageWidth, imageHeight);
            if (boxes[4 * kept + 2] - boxes[4 * kept] < limits.minSize()
                    || boxes[4 * kept + 3] - boxes[4 * kept + 1] < limits.minSize()) continue;
            scores[kept++] = sigmoid(objectness[objectnessOffset + i]);
        }
        float[] candidates = Arrays.copyOf(boxes, 4 * kept), candidateScores = Arrays.copyOf(scores, kept);
        int[] keep = Nms.keep(candidates, candidateScores, limits.nmsIou(), limits.postNms());
        float[] outBoxes = new float[4 * keep.length], outScores = new float[keep.length];
        for (int k = 0; k < keep.length; k++) {
            System.arraycopy(candidates, 4 * keep[k], outBoxes, 4 * k, 4);
            outScores[k] = candidateScores[keep[k]];
        }
        return new Result(outBoxes, outScores);
    }

    /**
     * Indices of the {@code limit} largest of values[offset .. offset+count), largest first (sorting
     * packed keys, no boxing). When more than {@code limit} values exceed {@link #NEGLIGIBLE_LOGIT}, only
     * those are sorted: on a large tile most anchors are plain background, and sorting them is wasted.
     */
    static int[] topIndices(float[] values, int offset, int count, int limit) {
        int candidates = 0;
        for (int i = 0; i < count; i++) if (values[offset + i] > NEGLIGIBLE_LOGIT) candidates++;
        boolean filter = candidates >= limit;
        long[] keys = new long[filter ? candidates : count];
        int m = 0;
        for (int i = 0; i < count; i++) {
            float v = values[offset + i];
            if (filter && !(v > NEGLIGIBLE_LOGIT)) continue;
            int bits = Float.floatToIntBits(v);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // orders like the float value
            keys[m++] = ((long) sortable << 32) | i;
        }
        Arrays.sort(keys);
        int n = Math.min(limit, m);
        int[] out = new int[n];
        for (int k = 0; k < n; k++) out[k] = (int) keys[m - 1 - k];
        return out;
    }

    /** Objectness logit below which an anchor never needs sorting when enough others score higher (probability 0.007). */
    static final float NEGLIGIBLE_LOGIT = -5f;

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
