package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which windows of an image the diameter estimate looks at, and which objects it counts. */
class DiameterEstimateTest {
    @Test
    void theCentreWindowComesFirstThenTheWindowsWithTheMostContrast() {
        int w = 300, h = 200, cw = 100, ch = 100;
        float[] plane = new float[w * h];
        // A textured patch in the lower right corner; flat everywhere else.
        for (int y = 150; y < 200; y++) for (int x = 250; x < 300; x++) plane[y * w + x] = (x + y) % 2;
        List<int[]> windows = DiameterEstimate.windows(new float[][] {plane}, w, h, cw, ch);
        assertArrayEquals(new int[] {100, 50}, windows.get(0), "centred");
        assertArrayEquals(new int[] {200, 100}, windows.get(1), "the textured corner next, flush with the edges");
        assertEquals(1 + 3 * 2, windows.size(), "a 3 x 2 grid after the centre");
        List<int[]> whole = DiameterEstimate.windows(new float[][] {plane}, w, h, w, h);
        assertEquals(1, whole.size(), "a window as large as the image is the only one");
        assertArrayEquals(new int[] {0, 0}, whole.get(0));
    }

    @Test
    void specksBelowAQuarterOfTheModelsDiameterAreNotCounted() {
        assertEquals(13, DiameterEstimate.smallestObject(16.4), "pi/4 (0.25 * 16.4)^2 = 13.2 px");
        assertEquals(6, DiameterEstimate.smallestObject(4), "never below the segmenter's own 6 px");
    }
}
