package org.cnnj.det;

import org.cnnj.data.Resize;

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

    /**
     * This image resized by {@code factor} as a detector resizes images before its network (bilinear, half-pixel
     * centres: at 0.5 each pixel the mean of four), its boxes with it and its outlines by nearest neighbour.
     */
    public AnnotatedImage scaled(double factor) {
        if (factor == 1) return this;
        int w = Resize.scaled(width, factor), h = Resize.scaled(height, factor);
        float fx = w / (float) width, fy = h / (float) height;
        float[] b = boxes.clone();
        for (int i = 0; i < b.length; i += 4) {
            b[i] *= fx;
            b[i + 1] *= fy;
            b[i + 2] *= fx;
            b[i + 3] *= fy;
        }
        return new AnnotatedImage(
                name,
                Resize.bilinear(channels, width, height, w, h),
                w,
                h,
                b,
                classes,
                masks == null ? null : Resize.nearest(masks, width, height, w, h));
    }
}
