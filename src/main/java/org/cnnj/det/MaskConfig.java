package org.cnnj.det;

/**
 * The mask head of a two-stage detector (Mask R-CNN): ROI Align crops of {@code roiSize}² feature bins, {@code
 * convs} 3×3 convolutions of {@code width} channels, a 2× transposed convolution, one mask logit map per class of
 * (2·roiSize)² cells over the detection's box.
 */
public record MaskConfig(int roiSize, int convs, int width) {
    public MaskConfig {
        if (roiSize < 2 || convs < 0 || width < 1)
            throw new IllegalArgumentException(
                    "mask head: roi size must be >= 2, convolutions >= 0 and width >= 1, got " + roiSize + ", " + convs
                            + ", " + width);
    }

    /** Mask R-CNN's 14² crops and four convolutions, at the detector's 64 feature channels (28² masks). */
    public static MaskConfig defaults() {
        return new MaskConfig(14, 4, 64);
    }

    /** Cells of a mask along each axis. */
    public int maskSize() {
        return 2 * roiSize;
    }
}
