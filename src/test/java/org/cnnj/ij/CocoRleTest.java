package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * COCO run-length masks: pycocotools' compressed strings decoded as its rleFrString does (values worked by hand from
 * its C source, negative deltas included), and masks encoded by a transcription of its rleToString (column-major runs)
 * decoded back pixel for pixel; damaged masks named.
 */
class CocoRleTest {
    @Test
    void compressedCountsAsPycocotoolsWritesThem() {
        assertArrayEquals(new long[] {5, 3, 2}, CocoRle.decompress("532", "t"));
        assertArrayEquals(new long[] {5, 3, 2, 4}, CocoRle.decompress("5321", "t"), "from the 4th run: the delta");
        assertArrayEquals(new long[] {5, 10, 2, 1}, CocoRle.decompress("5:2G", "t"), "1 - 10 = -9 is 'G'");
        assertArrayEquals(new long[] {100}, CocoRle.decompress("T3", "t"), "100 = 4 + 3 * 32, two groups");
        var bad = assertThrows(IllegalArgumentException.class, () -> CocoRle.decompress("T", "a.json: annotation 7"));
        assertTrue(bad.getMessage().contains("annotation 7") && bad.getMessage().contains("ends inside"));
    }

    @Test
    void masksComeBackPixelForPixel() {
        Random random = new Random(3);
        int h = 37, w = 53;
        for (int trial = 0; trial < 20; trial++) {
            int[] mask = new int[h * w];
            int x0 = random.nextInt(w - 10), y0 = random.nextInt(h - 10), r = 2 + random.nextInt(8);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (Math.hypot(x - x0 - 5, y - y0 - 5) < r || (trial % 3 == 0 && x == w - 1))
                        mask[y * w + x] = 1; // a disc, and sometimes the last column: runs at both ends
            long[] runs = runs(mask, h, w);
            assertArrayEquals(mask, CocoRle.decode(rle(h, w, counts(runs)), "t"), "uncompressed, trial " + trial);
            assertArrayEquals(mask, CocoRle.decode(rle(h, w, toString(runs)), "t"), "compressed, trial " + trial);
        }
    }

    @Test
    void damagedMasksAreNamed() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> CocoRle.decode(rle(4, 4, counts(new long[] {10, 10})), "x.json: annotation 3 of a.png"));
        assertTrue(e.getMessage().contains("annotation 3 of a.png")
                && e.getMessage().contains("do not add up"));
        JsonObject noSize = new JsonObject();
        noSize.add("counts", counts(new long[] {1}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CocoRle.decode(noSize, "y"))
                .getMessage()
                .contains("\"size\""));
    }

    /** Runs of a row-major mask read column by column, starting with a run of 0s (pycocotools' rleEncode). */
    static long[] runs(int[] mask, int h, int w) {
        List<Long> out = new ArrayList<>();
        int value = 0;
        long run = 0;
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h; y++) {
                if (mask[y * w + x] != value) {
                    out.add(run);
                    run = 0;
                    value ^= 1;
                }
                run++;
            }
        out.add(run);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** pycocotools' rleToString, transcribed: from the 4th run the delta to the run two before, 5-bit groups. */
    static String toString(long[] runs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < runs.length; i++) {
            long x = runs[i];
            if (i > 2) x -= runs[i - 2];
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    static JsonArray counts(long[] runs) {
        JsonArray a = new JsonArray();
        for (long r : runs) a.add(r);
        return a;
    }

    static JsonObject rle(int h, int w, Object counts) {
        JsonObject o = new JsonObject();
        JsonArray size = new JsonArray();
        size.add(h);
        size.add(w);
        o.add("size", size);
        if (counts instanceof JsonArray a) o.add("counts", a);
        else o.addProperty("counts", (String) counts);
        return o;
    }
}
