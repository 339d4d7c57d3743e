package org.cnnj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.junit.jupiter.api.Test;

/** The two spellings of a segmentation task map in one place, both ways. */
class SegmentationTaskTest {
    @Test
    void optionsAndSidecarSpellingsMapBothWays() {
        assertEquals(
                SegmentationSpec.INSTANCES_DISTANCE,
                SegmentationTask.parse("instances").sidecar());
        assertEquals(SegmentationTask.INSTANCES, SegmentationTask.parse("instances-distance"));
        for (SegmentationTask t : SegmentationTask.values()) {
            assertEquals(t, SegmentationTask.parse(t.option()));
            assertEquals(t, SegmentationTask.ofSidecar(t.sidecar()));
        }
        var e = assertThrows(IllegalArgumentException.class, () -> SegmentationTask.parse("panoptic"));
        assertTrue(
                e.getMessage().contains("instances, instances-3class or semantic")
                        && e.getMessage().contains("panoptic"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SegmentationTask.ofSidecar(Sidecars.DETECTION));
    }
}
