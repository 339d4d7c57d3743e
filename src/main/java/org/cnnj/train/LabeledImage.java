package org.cnnj.train;

/**
 * One training pair. Shapes: image [C][H·W] raw pixels; labels [H·W]: instance labels (0 = background,
 * 1..n objects) for instance models, class indices for semantic models.
 */
public record LabeledImage(String name, float[][] image, int[] labels, int width, int height) {
    public LabeledImage {
        for (float[] c : image) {
            if (c.length != width * height) throw new IllegalArgumentException(name + ": every channel must have " + width + "x" + height + " pixels");
        }
        if (labels.length != width * height) {
            throw new IllegalArgumentException(name + ": the label image has " + labels.length + " pixels but the image " + width + "x" + height
                    + "; image and label image must be the same size");
        }
    }
}
