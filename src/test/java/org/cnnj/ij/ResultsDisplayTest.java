package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ROIs a command takes from the ROI Manager are those of its image, not those of every image open. */
class ResultsDisplayTest {
    @Test
    void aRoiBelongsToTheImageItWasMadeForOrDrawnOn() {
        ImagePlus a = new ImagePlus("a.tif", new ByteProcessor(64, 64)),
                b = new ImagePlus("b.tif", new ByteProcessor(64, 64));
        Roi ours = new Roi(1, 1, 5, 5);
        ours.setProperty(ResultsDisplay.SOURCE, a.getTitle() + "#" + a.getID());
        assertTrue(ResultsDisplay.belongsTo(ours, a));
        assertFalse(ResultsDisplay.belongsTo(ours, b), "CNN-J's ROIs of image a are not b's");
        Roi drawn = new Roi(1, 1, 5, 5);
        drawn.setImage(b);
        assertTrue(ResultsDisplay.belongsTo(drawn, b));
        assertFalse(ResultsDisplay.belongsTo(drawn, a), "a ROI drawn on b is not a's");
        assertTrue(ResultsDisplay.belongsTo(new Roi(1, 1, 5, 5), a), "a ROI of no known image is taken");
    }

    /** An uncalibrated image's objects are measured in pixels; a blank unit (some TIFFs carry one) said "Area ( ²)". */
    @Test
    void areasOfAnImageWithoutAUnitAreInPixels() {
        var rows = List.of(new LabelResults.Measurement(0, 1, 12, 3, 4, 100));
        for (String blank : new String[] {" ", "", null})
            assertEquals(12, ResultsDisplay.measurements(rows, blank).getValue("Area (pixel²)", 0), 1e-9);
        assertEquals(12, ResultsDisplay.measurements(rows, "µm").getValue("Area (µm²)", 0), 1e-9);
    }
}
