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

    @Test
    void aWindowIsResampledExactlyAsTheWholeImageThere() {
        // Blocks of a huge image resized one by one must give the pixels of the whole image resized at once.
        int w = 97, h = 61, nw = 131, nh = 79;
        float[] src = new float[w * h];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < src.length; i++) src[i] = r.nextFloat();
        float[] whole = Resize.bilinear(src, w, h, nw, nh);
        int cx = 23, cy = 11, cw = 40, ch = 30; // the source crop
        int dx = 33, dy = 17, dw = 45, dh = 30; // destination pixels whose neighbours lie in the crop
        float[] crop = new float[cw * ch];
        for (int y = 0; y < ch; y++) System.arraycopy(src, (cy + y) * w + cx, crop, y * cw, cw);
        float[] part = Resize.bilinear(
                crop,
                cw,
                Resize.Axis.window(w, nw, new Resize.Axis.Span(dx, dw), new Resize.Axis.Span(cx, cw)),
                Resize.Axis.window(h, nh, new Resize.Axis.Span(dy, dh), new Resize.Axis.Span(cy, ch)));
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
                assertEquals(whole[(dy + y) * nw + dx + x], part[y * dw + x], 0f, "pixel " + x + ", " + y);
        // A window without a crop is the whole resize.
        assertArrayEquals(whole, Resize.bilinear(src, w, Resize.Axis.whole(w, nw), Resize.Axis.whole(h, nh)), 0f);
    }
}
