package org.cnnj.det;

import java.util.Locale;

/**
 * How much a detector's training patches vary beyond the eight flips/rotations, which are always on.
 *
 * @param intensity one brightness gain and offset for all channels, each drawn in ±intensity (normalized units)
 * @param colour    a gain and offset per channel, each in ±colour: stains and white balance differ between labs and
 *                  cameras, and a model that learnt one smear's exact hue mistakes the next one's
 * @param scale     the patch is cut at a size drawn log-uniformly in [1/scale, scale] times the objects' size and
 *                  resampled (bilinear): objects of one data set vary in size, and another microscope's magnification
 *                  differs (1: objects keep their pixel size)
 */
public record BoxAugmentation(float intensity, float colour, float scale) {
    /** Flips, rotations and a brightness change: what every detector trained with before the other kinds existed. */
    public static final BoxAugmentation BASIC = new BoxAugmentation(0.1f, 0, 1);

    /**
     * Also per-channel colour (±0.1) and object size (±25%), as YOLO-style trainers vary their patches. On BCCD (one stain,
     * one magnification) it scored lower than {@link #BASIC} on val and on its stain/size variants: not the default.
     */
    public static final BoxAugmentation COLOUR_AND_SCALE = new BoxAugmentation(0.1f, 0.1f, 1.25f);

    /**
     * Flips, rotations, brightness and object size (±25%), the colours left as they are: what the shipped blood-cell
     * detector trained with. On BCCD it scored above {@link #BASIC} on val and on all five of its stress versions,
     * most where the magnification differs (Roboflow's 416 × 416 copy +0.033); ±50% cost the white cells (0.997 →
     * 0.967), which then outgrew the patch.
     */
    public static final BoxAugmentation SCALE = new BoxAugmentation(0.1f, 0, 1.25f);

    public BoxAugmentation {
        if (!(intensity >= 0 && intensity < 1) || !(colour >= 0 && colour < 1))
            throw new IllegalArgumentException(
                    "augmentation: intensity and colour jitter must be in [0, 1), got " + intensity + ", " + colour);
        if (!(scale >= 1 && scale <= 4))
            throw new IllegalArgumentException("augmentation: scale must be in [1, 4] (1: off), got " + scale);
    }

    /** The option's names, as the command line and Fiji's dialog give them. */
    public static final String[] OPTIONS = {"basic", "scale", "colour-and-scale"};

    /** {@code basic}, {@code scale} or {@code colour-and-scale} (also {@code color-and-scale}). */
    public static BoxAugmentation parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("color", "colour");
        return switch (n) {
            case "", "basic" -> BASIC;
            case "scale" -> SCALE;
            case "colour-and-scale" -> COLOUR_AND_SCALE;
            default ->
                throw new IllegalArgumentException("augmentation \"" + name + "\" is unknown; use basic (flips,"
                        + " rotations, brightness), scale (also object size ±25%) or colour-and-scale (also"
                        + " per-channel colour)");
        };
    }

    /** The option's name, or a description of a custom setting. */
    public String option() {
        if (equals(BASIC)) return "basic";
        if (equals(SCALE)) return "scale";
        if (equals(COLOUR_AND_SCALE)) return "colour-and-scale";
        return String.format(Locale.ROOT, "intensity %.2f, colour %.2f, scale %.2f", intensity, colour, scale);
    }
}
