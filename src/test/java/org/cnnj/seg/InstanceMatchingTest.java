package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class InstanceMatchingTest {
    @Test
    void countsMatchesMissesAndFalseAlarms() {
        int[] truth = {1, 1, 1, 1, 0, 2, 2, 0, 3, 3};
        int[] pred = {5, 5, 5, 0, 0, 7, 0, 0, 0, 0}; // object 1 matched (IoU 0.75), 2 at IoU 0.5 (not >), 3 missed
        InstanceMatching.Result r = InstanceMatching.match(truth, pred, 0.5);
        assertEquals(1, r.truePositives());
        assertEquals(1, r.falsePositives());
        assertEquals(2, r.falseNegatives());
        assertEquals(0.25, r.averagePrecision(), 1e-12);
        assertEquals(0.75, r.meanMatchedIou(), 1e-12);
        assertEquals(1.0, InstanceMatching.match(truth, truth, 0.5).averagePrecision());
        assertThrows(IllegalArgumentException.class, () -> InstanceMatching.match(truth, new int[3], 0.5));
    }

    @Test
    void boundaryLineSeparatesTouchingObjects() {
        // Two interiors joined only through boundary pixels (class 2) become two objects; the boundary is shared out.
        int[] classes = {
            1, 1, 2, 1, 1,
            1, 1, 2, 1, 1,
            0, 0, 0, 0, 1,
        };
        int[] labels = Instances.fromThreeClass(classes, 5, 3, 1);
        assertEquals(2, Instances.count(labels));
        assertEquals(labels[0], labels[1]);
        assertEquals(labels[3], labels[14]);
        // With a minimum seed of 5 pixels the left interior (4 pixels) is noise; the right one (5) claims the boundary.
        int[] bigSeedsOnly = Instances.fromThreeClass(classes, 5, 3, 5);
        assertEquals(1, Instances.count(bigSeedsOnly));
        assertArrayEquals(
                new int[] {0, 0, 1, 1, 1},
                new int[] {bigSeedsOnly[0], bigSeedsOnly[1], bigSeedsOnly[2], bigSeedsOnly[3], bigSeedsOnly[14]});
    }
}
