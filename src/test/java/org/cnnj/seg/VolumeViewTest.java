package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VolumeViewTest {
    private static final int RED = 0xFF0000, GREEN = 0x00FF00;

    /** Two cubes side by side along x (label 1 left, red; label 2 right, green), z spacing twice the pixel. */
    private static VolumeView.Frames cubes(int views) {
        int d = 6, h = 12, w = 20;
        int[] labels = new int[d * h * w];
        for (int z = 0; z < 2; z++)
            for (int y = 4; y < 8; y++)
                for (int x = 0; x < w; x++) {
                    if (x >= 2 && x < 6) labels[(z * h + y) * w + x] = 1;
                    if (x >= 12 && x < 16) labels[(z * h + y) * w + x] = 2;
                }
        return VolumeView.turning(labels, new int[] {d, h, w}, 2.0, views, new int[] {0, RED, GREEN});
    }

    private static int red(int rgb) {
        return (rgb >> 16) & 255;
    }

    private static int green(int rgb) {
        return (rgb >> 8) & 255;
    }

    @Test
    void fromAboveBothCubesShowInTheirColoursAndPlaces() {
        VolumeView.Frames f = cubes(4);
        int side = f.width(), offset = (side - 20) / 2; // the volume's x axis centred in the frame
        assertTrue(side >= 23, "the frame holds the volume turned: " + side);
        int[] top = f.rgb()[0];
        int row = 6 * side;
        int left = top[row + offset + 4], right = top[row + offset + 14], between = top[row + offset + 9];
        assertTrue(red(left) > 100 && green(left) == 0, Integer.toHexString(left));
        assertTrue(green(right) > 100 && red(right) == 0, Integer.toHexString(right));
        assertEquals(0, between, "background between the cubes");
        assertEquals(0, top[1 * side + offset + 4], "above the cubes' rows");
    }

    @Test
    void turnedAQuarterTheNearerCubeHidesTheOther() {
        // A quarter turn looks along x: the cubes line up, and the one at larger x is the nearer.
        int[] quarter = cubes(4).rgb()[1];
        VolumeView.Frames f = cubes(4);
        int column = f.width() / 2 - 4,
                seen = quarter[6 * f.width() + column]; // slices 0-1 lie 6-2 px above the centre
        assertTrue(green(seen) > 0 && red(seen) == 0, "seen " + Integer.toHexString(seen));
        // Half a turn looks from below the last slice: the mirror of the first view.
        int[] half = f.rgb()[2];
        int side = f.width(), offset = (side - 20) / 2;
        assertTrue(green(half[6 * side + side - 1 - (offset + 14)]) > 0, "right cube mirrored to the left");
        // Deeper is darker: the top view's red (slices 0-1 of 6: near the top) brighter than seen from below.
        assertTrue(red(f.rgb()[0][6 * side + offset + 4]) > red(half[6 * side + side - 1 - (offset + 4)]));
    }
}
