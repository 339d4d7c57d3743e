package org.cnnj.det;

/**
 * An image with its object boxes, for training and evaluation of a detector.
 *
 * @param channels channel planes, each width·height, row-major
 * @param boxes    4 floats per object: x1, y1, x2, y2 in pixels
 * @param classes  class index per object (0-based, into the detector's class names)
 * @param masks    instance label map (width·height, object i as value i + 1, 0 background) for a mask head, or null
 *                 when only boxes are known
 */
public record AnnotatedImage(
        String name, float[][] channels, int width, int height, float[] boxes, int[] classes, int[] masks) {
    public AnnotatedImage {
        if (masks != null && masks.length != width * height)
            throw new IllegalArgumentException(
                    name + ": the mask map has " + masks.length + " values, not " + width + "x" + height);
        if (boxes.length != 4 * classes.length) {
            throw new IllegalArgumentException(
                    name + ": " + boxes.length + " box values for " + classes.length + " classes");
        }
        for (float[] c : channels) {
            if (c.length != width * height)
                throw new IllegalArgumentException(
                        name + ": a channel has " + c.length + " values, not " + width + "x" + height);
        }
    }

    public int objects() {
        return classes.length;
    }
}
