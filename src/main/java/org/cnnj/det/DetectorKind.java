package org.cnnj.det;

import java.util.Locale;

/**
 * The two detector designs. Two-stage (Faster R-CNN style): proposals at stride 4, then a head on ROI Align crops;
 * the most accurate on small, crowded objects. One-stage (FCOS style, the anchor-free successor of YOLO and SSD):
 * every location of a two-level pyramid predicts classes and a box directly; one network run, no anchors to choose,
 * objects from a few pixels to a few hundred.
 */
public enum DetectorKind {
    TWO_STAGE,
    ONE_STAGE;

    /** As the dialog and the command line write it: two-stage, one-stage. */
    public String option() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static DetectorKind parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (DetectorKind k : values()) if (k.option().equals(t)) return k;
        throw new IllegalArgumentException("the detector architecture is two-stage or one-stage, got \"" + text + "\"");
    }
}
