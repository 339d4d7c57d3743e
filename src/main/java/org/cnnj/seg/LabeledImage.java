package org.cnnj.seg;

/**
 * One training pair. Shapes: image [C][H·W] raw pixels; labels [H·W]: instance labels (0 = background,
 * 1..n objects) for instance models, class indices for semantic models. {@code source} names where the image comes
 * from (a lab, a microscope, a data set: training draws patches balanced over sources); "" when unknown.
 */
public record LabeledImage(String name, float[][] image, int[] labels, int width, int height, String source) {
    public LabeledImage(String name, float[][] image, int[] labels, int width, int height) {
        this(name, image, labels, width, height, "");
    }

    /** The same pair, said to come from {@code source}. */
    public LabeledImage from(String source) {
        return new LabeledImage(name, image, labels, width, height, source);
    }

    public LabeledImage {
        source = source == null ? "" : source;
        for (float[] c : image) {
            if (c.length != width * height)
                throw new IllegalArgumentException(
                        name + ": every channel must have " + width + "x" + height + " pixels");
        }
        for (int c = 0; c < image.length; c++) {
            for (int i = 0; i < image[c].length; i++) {
                if (!Float.isFinite(image[c][i])) {
                    throw new IllegalArgumentException(name + " has a "
                            + (Float.isNaN(image[c][i]) ? "NaN" : "infinite") + " pixel at x=" + i % width + ", y="
                            + i / width + (image.length > 1 ? " in channel " + (c + 1) : "")
                            + "; training needs finite pixels: replace them"
                            + " (Process › Math › Remove NaNs…) or leave the image out");
                }
            }
        }
        if (labels.length != width * height) {
            throw new IllegalArgumentException(
                    name + ": the label image has " + labels.length + " pixels but the image " + width + "x" + height
                            + "; image and label image must be the same size");
        }
    }
}
