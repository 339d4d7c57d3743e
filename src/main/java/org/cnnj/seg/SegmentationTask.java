package org.cnnj.seg;

import com.google.gson.annotations.SerializedName;
import java.util.Locale;

/**
 * What a segmentation model outputs, in the two spellings people meet: the option users type
 * ({@code instances}, {@code instances-3class}, {@code semantic}; CLI, macros, dialogs) and the task its
 * sidecar records ({@link SegmentationSpec#task()}: {@code instances-distance} for the first). One place maps them.
 */
public enum SegmentationTask {
    /** Objects separated by a distance map: classes + the distance channel (the default). */
    @SerializedName("instances-distance")
    INSTANCES("instances", "instances-distance"),
    /** Objects from background/interior/boundary classes only. */
    @SerializedName("instances-3class")
    INSTANCES_3CLASS("instances-3class", "instances-3class"),
    /** One class per pixel. */
    @SerializedName("semantic")
    SEMANTIC("semantic", "semantic");
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

    /** True for the tasks whose output is separated objects. */
    public boolean isInstances() {
        return this != SEMANTIC;
    }

    /** The sidecar's spelling, wherever a task is written out. */
    @Override
    public String toString() {
        return sidecar;
    }
}
