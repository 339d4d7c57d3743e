package org.cnnj.det;

import java.util.List;

/**
 * A one-stage, anchor-free detector (FCOS / YOLOX style): a residual backbone to stride 16, a two-level feature
 * pyramid (strides 8 and 16, the coarse level added into the fine one, SSD's idea of predicting at several scales)
 * and one head shared by both levels that predicts at every location class scores, centre-ness and the distances to
 * the object's four sides. An object is learnt at the level its size belongs to ({@code levelSplit}).
 *
 * @param inputChannels image channels
 * @param classes       object class names (no background class: each class is its own sigmoid)
 * @param widths        channels of the stem and the four backbone stages (strides 1, 2, 4, 8, 16)
 * @param pyramid       channels of the pyramid levels and the head
 * @param levelSplit    objects whose longest side-distance from a location (max of l, t, r, b, in pixels) is up
 *                      to this are learnt at stride 8, larger ones at stride 16
 * @param largestObject the longest box side among the training boxes (px): tiles overlap by more than it
 */
public record OneStageConfig(
        int inputChannels, List<String> classes, int[] widths, int pyramid, float levelSplit, float largestObject) {
    /** The pyramid's strides, fine to coarse. */
    public static final int[] STRIDES = {8, 16};

    public OneStageConfig {
        DetectorConfig.checkInputs(inputChannels, classes);
        if (widths == null || widths.length != 5)
            throw new IllegalArgumentException("one-stage detector: give five backbone widths");
        for (int w : widths) if (w < 1) throw new IllegalArgumentException("detector: backbone widths must be >= 1");
        if (pyramid < 1) throw new IllegalArgumentException("detector: pyramid width must be >= 1");
        if (!(levelSplit > 0) || !(largestObject > 0))
            throw new IllegalArgumentException("one-stage detector: level split and largest object must be > 0");
        classes = List.copyOf(classes);
    }

    /**
     * Sized for microscopy and blood smears on 2 cores: 16/16/32/64/96 channels, a 64-channel pyramid; the level split
     * and largest object from the boxes ({@link #fromBoxes}). The full-resolution stages cost the time: 24 channels at
     * stride 2 took 49 ms per 640 × 480 photograph, 16 took 33 ms, and trained longer (60 × 100 steps) the narrower
     * network reached the wider one's mAP (BCCD, docs/detection.md).
     */
    public static OneStageConfig defaults(int inputChannels, List<String> classes, float levelSplit, float largest) {
        return new OneStageConfig(inputChannels, classes, new int[] {16, 16, 32, 64, 96}, 64, levelSplit, largest);
    }

    /**
     * The level split and the largest object of the training boxes: the split at 4 strides of the coarse level (64 px
     * from a location to a side: objects up to ~128 px at stride 8, larger ones at stride 16, as FCOS splits its
     * levels), the largest object for the tiles' overlap.
     */
    public static float[] fromBoxes(List<AnnotatedImage> data) {
        float largest = 8;
        for (AnnotatedImage a : data)
            for (int i = 0; i < a.objects(); i++) {
                float[] b = a.boxes();
                largest = Math.max(largest, Math.max(b[4 * i + 2] - b[4 * i], b[4 * i + 3] - b[4 * i + 1]));
            }
        return new float[] {4f * STRIDES[1], largest};
    }

    public int classCount() {
        return classes.size();
    }

    /** Output channels per level: classes, centre-ness, then l, t, r, b. */
    public int outputs() {
        return classes.size() + 5;
    }
}
