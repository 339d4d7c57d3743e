package org.cnnj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResizeTest {
    @Test
    void bilinearKeepsLinearRampsAndPixelCentres() {
        int w = 8, h = 3;
        float[] ramp = new float[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) ramp[y * w + x] = x;
        float[] up = Resize.bilinear(ramp, w, h, 16, 3);
        // Pixel centres aligned (align_corners=False): output x maps to (x + 0.5) / 2 - 0.5, clamped at the ends.
        assertEquals(0f, up[0], 1e-6f);
        assertEquals(0.25f, up[1], 1e-6f);
        assertEquals(0.75f, up[2], 1e-6f);
        assertEquals(7f, up[15], 1e-6f);
        float[] down = Resize.bilinear(ramp, w, h, 4, 3);
        assertArrayEquals(new float[] {0.5f, 2.5f, 4.5f, 6.5f}, Arrays.copyOf(down, 4), 1e-6f);
    }

    @Test
    void nearestKeepsLabelsWholeAndRoundTripsAnIntegerZoom() {
        int[] labels = {0, 1, 2, 3, 4, 5};
        int[] up = Resize.nearest(labels, 3, 2, 6, 4);
        assertEquals(1, up[2]);
        assertEquals(1, up[3]);
        assertEquals(5, up[4 * 6 - 1]);
        assertArrayEquals(labels, Resize.nearest(up, 6, 4, 3, 2));
        assertEquals(1, Resize.scaled(3, 0.01), "never below one pixel");
    }
}
