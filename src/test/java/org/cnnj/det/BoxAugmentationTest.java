package org.cnnj.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class BoxAugmentationTest {
    private static final int W = 80, H = 72, PATCH = 48;

    /** One bright 24 × 10 rectangle (object 1, class 0) on a dark image, with its box and instance mask. */
    private static AnnotatedImage rectangle(int channels) {
        float[][] planes = new float[channels][W * H];
        int[] mask = new int[W * H];
        for (int y = 30; y < 40; y++)
            for (int x = 20; x < 44; x++) {
                for (float[] p : planes) p[y * W + x] = 1f;
                mask[y * W + x] = 1;
            }
        return new AnnotatedImage("rect", planes, W, H, new float[] {20, 30, 44, 40}, new int[] {0}, mask);
    }

    /** [minX, minY, maxX + 1, maxY + 1] of the patch pixels that pass {@code inside}, or null when none. */
    private static float[] frame(java.util.function.IntPredicate inside) {
        int minX = 999, minY = 999, maxX = -1, maxY = -1;
        for (int i = 0; i < PATCH * PATCH; i++) {
            if (!inside.test(i)) continue;
            int x = i % PATCH, y = i / PATCH;
            minX = Math.min(minX, x);
            minY = Math.min(minY, y);
            maxX = Math.max(maxX, x);
            maxY = Math.max(maxY, y);
        }
        return maxX < 0 ? null : new float[] {minX, minY, maxX + 1, maxY + 1};
    }

    @Test
    void resizedPatchesKeepBoxesAndMasksOnTheirPixels() {
        BoxSampler sampler = new BoxSampler(List.of(rectangle(1)), BoxAugmentation.COLOUR_AND_SCALE, new Rng(7));
        float smallest = Float.MAX_VALUE, largest = 0;
        int checked = 0;
        for (int k = 0; k < 200; k++) {
            BoxSampler.Batch b = sampler.next(1, PATCH);
            float[] box = b.boxes()[0];
            if (box.length == 0 || box[0] <= 0 || box[1] <= 0 || box[2] >= PATCH || box[3] >= PATCH) continue;
            // Whole boxes only: a clipped one frames the clipped pixels, which the crop test already covers.
            float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
            for (float v : b.images()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float half = (lo + hi) / 2; // gain and offset vary: the rectangle is what is above half-way
            float[] bright = frame(i -> b.images()[i] > half);
            float[] labelled = frame(i -> b.masks()[0][i] == 1);
            String where = "patch " + k + ": box " + Arrays.toString(box);
            for (int j = 0; j < 4; j++) {
                // Bilinear pixels at the rectangle's edge are half bright: the edge is known to a pixel.
                assertEquals(box[j], bright[j], 1.01, where + " vs bright pixels " + Arrays.toString(bright));
                assertEquals(box[j], labelled[j], 1.01, where + " vs mask " + Arrays.toString(labelled));
            }
            float side = Math.max(box[2] - box[0], box[3] - box[1]);
            smallest = Math.min(smallest, side);
            largest = Math.max(largest, side);
            checked++;
        }
        assertTrue(checked > 50, "only " + checked + " patches held the whole box");
        // 24 px at zoom 0.8 … 1.25: 19.2 … 30 px; both ends drawn.
        assertTrue(smallest < 21 && smallest >= 19, "smallest " + smallest);
        assertTrue(largest > 28 && largest <= 30.01, "largest " + largest);
    }

    @Test
    void colourVariesEachChannelAndBasicKeepsThemTogether() {
        for (BoxAugmentation a : List.of(BoxAugmentation.BASIC, BoxAugmentation.COLOUR_AND_SCALE)) {
            BoxSampler sampler = new BoxSampler(List.of(rectangle(3)), a, new Rng(3));
            double largestSpread = 0;
            for (int k = 0; k < 20; k++) {
                BoxSampler.Batch b = sampler.next(1, PATCH);
                int plane = PATCH * PATCH;
                for (int i = 0; i < plane; i++) {
                    float r = b.images()[i], g = b.images()[plane + i], bl = b.images()[2 * plane + i];
                    largestSpread = Math.max(largestSpread, Math.max(Math.abs(r - g), Math.abs(r - bl)));
                }
            }
            if (a == BoxAugmentation.BASIC) assertEquals(0, largestSpread, 1e-6, "basic changes all channels alike");
            else assertTrue(largestSpread > 0.05, "colour jitter left the channels alike: " + largestSpread);
        }
    }

    @Test
    void optionsByName() {
        assertEquals(BoxAugmentation.BASIC, BoxAugmentation.parse("basic"));
        assertEquals(BoxAugmentation.COLOUR_AND_SCALE, BoxAugmentation.parse("Color-and-Scale"));
        assertEquals(1.25f, BoxAugmentation.parse("scale").scale());
        assertEquals(0f, BoxAugmentation.parse("scale").colour(), "the colours left as they are");
        for (String name : BoxAugmentation.OPTIONS)
            assertEquals(name, BoxAugmentation.parse(name).option());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BoxAugmentation.parse("mosaic"));
        assertTrue(e.getMessage().contains("\"mosaic\" is unknown")
                && e.getMessage().contains("colour-and-scale"));
        assertThrows(IllegalArgumentException.class, () -> new BoxAugmentation(0.1f, 0, 0.5f));
    }
}
