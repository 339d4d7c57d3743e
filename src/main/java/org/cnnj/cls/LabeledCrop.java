package org.cnnj.cls;

/**
 * One training or test example: a crop of {@code channels} planes of {@code size}×{@code size} pixels, laid out
 * [C, S, S], and its class index ({@link #UNKNOWN} when the class is not known, e.g. at apply time).
 */
public record LabeledCrop(String name, float[] pixels, int channels, int size, int label) {
    public static final int UNKNOWN = -1;

    public LabeledCrop {
        if (pixels == null || pixels.length != channels * size * size) {
            throw new IllegalArgumentException(name + ": a " + channels + "×" + size + "×" + size + " crop needs "
                    + channels * size * size + " values, got " + (pixels == null ? 0 : pixels.length));
        }
    }

    public LabeledCrop withPixels(float[] p) {
        return new LabeledCrop(name, p, channels, size, label);
    }
}
