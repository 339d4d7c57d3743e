package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.model.Sidecars;
import org.junit.jupiter.api.Test;

/** The two spellings of a segmentation task map in one place, both ways. */
class SegmentationTaskTest {
    @Test
    void optionsAndSidecarSpellingsMapBothWays() {
        assertEquals("instances-distance", SegmentationTask.parse("instances").sidecar());
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
