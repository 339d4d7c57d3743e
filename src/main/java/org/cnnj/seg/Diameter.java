package org.cnnj.seg;

import java.util.Locale;

/**
 * How big the objects in an image are, as the user says it: {@code auto} (estimated from the image
 * when the model records the object size it was trained for; see {@link DiameterEstimate}), {@code none}
 * (the image as it is), or a diameter in pixels. The image is then resized by model diameter / object
 * diameter before the model sees it, and results come back on the image's own pixel grid.
 *
 * @param pixels the diameter in pixels when given, else 0
 * @param auto   estimate it from the image
 */
public record Diameter(double pixels, boolean auto) {
    public static final Diameter AUTO = new Diameter(0, true), NONE = new Diameter(0, false);
    /** Objects smaller or larger than this cannot be segmented sensibly by rescaling. */
    public static final double MIN = 2, MAX = 2000;

    public Diameter {
        if (auto && pixels != 0) throw new IllegalArgumentException("diameter: auto takes no number");
        if (!auto && pixels != 0 && !(pixels >= MIN && pixels <= MAX)) {
            throw new IllegalArgumentException("diameter " + pixels + " px is not a size of objects: give " + MIN + ".."
                    + MAX + " pixels, auto (estimate from the image) or none (do not rescale)");
        }
    }

    /** "auto", "none" (or 0) or a number of pixels. */
    public static Diameter parse(String text) {
        String t = text == null ? "auto" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("auto")) return AUTO;
        if (t.equals("none") || t.equals("0")) return NONE;
        double d;
        try {
            d = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "diameter \"" + text + "\" is not a number: give the object diameter in pixels, auto or none");
        }
        return new Diameter(d, false);
    }

    @Override
    public String toString() {
        return auto ? "auto" : pixels == 0 ? "none" : String.format(Locale.ROOT, "%.1f", pixels);
    }
}
