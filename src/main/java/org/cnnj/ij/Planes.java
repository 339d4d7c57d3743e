package org.cnnj.ij;

import ij.ImagePlus;
import ij.process.ColorProcessor;

/**
 * An ImagePlus as CNN-J's core sees it: positions (slices or frames) of C channel planes each, as float arrays
 * [C][width·height] (32-bit images are not copied; 8/16-bit are converted). An RGB image is three channels, red, green
 * and blue, so a model trained on colour photographs sees their colours, in training and when applied alike.
 */
public final class Planes {
    private Planes() {}

    /** The channels each position holds: 3 for an RGB image, else the image's channels. */
    public static int channels(ImagePlus imp) {
        return imp.getBitDepth() == 24 ? 3 : imp.getNChannels();
    }

    /** Slices/frames of the image, each holding {@link #channels} channels. */
    public static int positions(ImagePlus imp) {
        return imp.getStackSize() / imp.getNChannels();
    }

    /** The channel planes at 0-based {@code position} (red, green, blue for an RGB image). */
    public static float[][] of(ImagePlus imp, int position) {
        if (imp.getBitDepth() == 24) {
            ColorProcessor rgb = (ColorProcessor) imp.getStack().getProcessor(position + 1);
            float[][] planes = new float[3][];
            for (int c = 0; c < 3; c++)
                planes[c] = (float[]) rgb.toFloat(c, null).getPixels();
            return planes;
        }
        int channels = imp.getNChannels();
        float[][] planes = new float[channels][];
        for (int c = 0; c < channels; c++)
            planes[c] = (float[]) imp.getStack()
                    .getProcessor(position * channels + c + 1)
                    .convertToFloat()
                    .getPixels();
        return planes;
    }

    /** What a model expecting {@code expected} channels says of an image with another count ({@code name}: the image). */
    public static String mismatch(String name, ImagePlus imp, int expected, String model) {
        int channels = channels(imp);
        String what =
                imp.getBitDepth() == 24 ? "is RGB (3 channels: red, green, blue)" : "has " + channels + " channel(s)";
        String fix = expected == 1 && imp.getBitDepth() == 24
                ? "convert it to grey (Image › Type › 8-bit) or use a model trained on colour images"
                : expected == 3
                        ? "give it as RGB or as three channels in the model's order"
                        : "split or merge its channels (Image › Color) to the " + expected
                                + " the model was trained on";
        return name + " " + what + " but the " + model + " expects " + expected + "; " + fix;
    }
}
