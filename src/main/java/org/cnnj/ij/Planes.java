package org.cnnj.ij;

import ij.ImagePlus;

/**
 * An ImagePlus as CNN-J's core sees it: positions (slices or frames) of C channel planes each, as
 * float arrays [C][width·height] (32-bit images are not copied; 8/16-bit are converted).
 */
public final class Planes {
    private Planes() {}

    /** Slices/frames of the image, each holding {@code imp.getNChannels()} channels. */
    public static int positions(ImagePlus imp) {
        return imp.getStackSize() / imp.getNChannels();
    }

    /** The channel planes at 0-based {@code position}. */
    public static float[][] of(ImagePlus imp, int position) {
        int channels = imp.getNChannels();
        float[][] planes = new float[channels][];
        for (int c = 0; c < channels; c++)
            planes[c] = (float[]) imp.getStack()
                    .getProcessor(position * channels + c + 1)
                    .convertToFloat()
                    .getPixels();
        return planes;
    }
}
