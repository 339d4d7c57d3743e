package org.cnnj.det;

import java.util.List;

/**
 * A two-stage detector (Faster R-CNN style, sized for microscopy).
 *
 * @param inputChannels image channels
 * @param classes       object class names (background is implicit, index 0 of the head's scores)
 * @param widths        channels of the three backbone stages (full, 1/2 and 1/4 resolution)
 * @param anchorSizes   anchor side lengths in pixels (√area), e.g. 12, 24, 48
 * @param aspectRatios  anchor height/width ratios, e.g. 0.5, 1, 2
 * @param roiSize       ROI Align output side (bins per axis)
 * @param hidden        width of the head's two fully connected layers
 */
public record DetectorConfig(
        int inputChannels,
        List<String> classes,
        int[] widths,
        float[] anchorSizes,
        float[] aspectRatios,
        int roiSize,
        int hidden) {
    /** What every detector needs: at least one channel, and named classes, each once. */
    static void checkInputs(int inputChannels, List<String> classes) {
        if (inputChannels < 1)
            throw new IllegalArgumentException("detector: input channels must be >= 1, got " + inputChannels);
        if (classes == null || classes.isEmpty())
            throw new IllegalArgumentException("detector: name at least one object class");
        if (classes.stream().distinct().count() != classes.size())
            throw new IllegalArgumentException("detector: class names must differ: " + classes);
    }

    /** Feature-map stride of the backbone (two stride-2 stages). */
    public static final int STRIDE = 4;
    /** Bilinear samples per ROI Align bin along each axis. */
    public static final int SAMPLING_RATIO = 2;

    public DetectorConfig {
        checkInputs(inputChannels, classes);
        if (widths == null || widths.length != 3)
            throw new IllegalArgumentException("detector: give three backbone widths");
        for (int w : widths) if (w < 1) throw new IllegalArgumentException("detector: backbone widths must be >= 1");
        if (anchorSizes == null || anchorSizes.length == 0 || aspectRatios == null || aspectRatios.length == 0) {
            throw new IllegalArgumentException("detector: give at least one anchor size and one aspect ratio");
        }
        for (float s : anchorSizes)
            if (!(s > 0)) throw new IllegalArgumentException("detector: anchor sizes must be > 0");
        for (float r : aspectRatios)
            if (!(r > 0)) throw new IllegalArgumentException("detector: aspect ratios must be > 0");
        if (roiSize < 1 || hidden < 1)
            throw new IllegalArgumentException("detector: roi size and hidden width must be >= 1");
        classes = List.copyOf(classes);
    }

    /** Microscopy-sized default: 16/32/64 channels, anchors 12–48 px at three aspect ratios, 7×7 ROIs. */
    public static DetectorConfig defaults(int inputChannels, List<String> classes) {
        return new DetectorConfig(
                inputChannels,
                classes,
                new int[] {16, 32, 64},
                new float[] {12, 24, 48},
                new float[] {0.5f, 1f, 2f},
                7,
                128);
    }

    public int anchorsPerLocation() {
        return Anchors.perLocation(anchorSizes, aspectRatios);
    }

    public int featureChannels() {
        return widths[2];
    }

    public float largestAnchor() {
        float m = 0;
        for (float s : anchorSizes)
            for (float r : aspectRatios) m = Math.max(m, s * (float) Math.max(Math.sqrt(r), 1 / Math.sqrt(r)));
        return m;
    }
}
