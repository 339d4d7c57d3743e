package org.cnnj.seg;

import java.util.Locale;

/**
 * What a segmentation model outputs, in the two spellings people meet: the option users type
 * ({@code instances}, {@code instances-3class}, {@code semantic}; CLI, macros, dialogs) and the task its
 * sidecar records ({@link SegmentationSpec#task()}: {@code instances-distance} for the first). One place maps them.
 */
public enum SegmentationTask {
    /** Objects separated by a distance map: classes + the distance channel (the default). */
    INSTANCES("instances", SegmentationSpec.INSTANCES_DISTANCE),
    /** Objects from background/interior/boundary classes only. */
    INSTANCES_3CLASS("instances-3class", SegmentationSpec.INSTANCES_3CLASS),
    /** One class per pixel. */
    SEMANTIC("semantic", SegmentationSpec.SEMANTIC);
    private final String option, sidecar;

    SegmentationTask(String option, String sidecar) {
        this.option = option;
        this.sidecar = sidecar;
    }

    /** As users type it. */
    public String option() {
        return option;
    }

    /** As the sidecar records it ({@link SegmentationSpec#task()}). */
    public String sidecar() {
        return sidecar;
    }

    /** A user's option (the sidecar's spelling is accepted too); anything else is an error naming the three. */
    public static SegmentationTask parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (SegmentationTask k : values()) if (k.option.equals(t) || k.sidecar.equals(t)) return k;
        throw new IllegalArgumentException(
                "task must be instances, instances-3class or semantic, got \"" + text + "\"");
    }

    /** The task a sidecar records. */
    public static SegmentationTask ofSidecar(String task) {
        for (SegmentationTask k : values()) if (k.sidecar.equals(task)) return k;
        throw new IllegalArgumentException("not a segmentation task: \"" + task + "\"");
    }
}
