package org.cnnj.seg;

import java.util.Locale;
import org.cnnj.data.ImagingAugmentation;

/** How much a segmentation training varies its patches (the option's spelling is the lower-case name). */
public enum Augmentation {
    /** Flips, 90° rotations, object size ×0.7–1.4 and a little brightness jitter. */
    BASIC,
    /** Also each object's own brightness: {@link ImagingAugmentation#objects()} (dim nuclei beside bright ones). */
    OBJECTS,
    /** Also what other microscopes do: {@link ImagingAugmentation#microscopes()}. */
    MICROSCOPES,
    /** The same effects, each on fewer patches: {@link ImagingAugmentation#mild()}. */
    MILD;

    /** The imaging augmentation beyond the basic one, or null. */
    public ImagingAugmentation imaging() {
        return switch (this) {
            case BASIC -> null;
            case OBJECTS -> ImagingAugmentation.objects();
            case MICROSCOPES -> ImagingAugmentation.microscopes();
            case MILD -> ImagingAugmentation.mild();
        };
    }

    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Augmentation parse(String option) {
        for (Augmentation a : values()) if (a.option().equals(option)) return a;
        throw new IllegalArgumentException("augmentation must be basic, objects, microscopes or mild, got " + option);
    }
}
