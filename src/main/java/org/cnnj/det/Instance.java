package org.cnnj.det;

/**
 * A detection with its mask: {@code mask} holds size × size probabilities over the detection's box (cell (i, j) covers
 * 1/size of the box along each axis), or is null for a detector without a mask head.
 */
public record Instance(Detection detection, float[] mask, int maskSize) {
    public Instance {
        if (mask != null && mask.length != maskSize * maskSize)
            throw new IllegalArgumentException("instance mask: " + mask.length + " values for " + maskSize + "²");
    }

    public Instance shifted(float dx, float dy) {
        return new Instance(detection.shifted(dx, dy), mask, maskSize);
    }

    /** The box scaled by {@code fx}, {@code fy}; the mask, relative to the box, stays as it is. */
    public Instance scaled(float fx, float fy) {
        return new Instance(detection.scaled(fx, fy), mask, maskSize);
    }

    /**
     * The mask's probability at image point (x, y) (pixel centres at +0.5): bilinear between cell centres, 0 outside
     * the box.
     */
    public float probabilityAt(float x, float y) {
        Detection d = detection;
        float u = (x - d.x1()) / d.width() * maskSize - 0.5f, v = (y - d.y1()) / d.height() * maskSize - 0.5f;
        if (u < -0.5f || v < -0.5f || u > maskSize - 0.5f || v > maskSize - 0.5f) return 0f;
        return MaskTargets.bilinear(mask, maskSize, u, v);
    }
}
