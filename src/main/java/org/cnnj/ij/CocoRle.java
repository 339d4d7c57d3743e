package org.cnnj.ij;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.gui.Roi;
import java.util.Arrays;

/**
 * COCO's run-length encoded masks ({"size": [height, width], "counts": …}), as CVAT writes brush masks and
 * pycocotools/Detectron2 write crowd regions and predicted masks: runs of 0s and 1s alternating, the first a run of
 * 0s, over the pixels in column-major order (down each column, then the next). "counts" is a list of run lengths
 * (uncompressed RLE) or pycocotools' compressed string: each run in 5-bit groups, least significant first, as
 * characters from '0' (48), bit 0x20 = more groups follow, bit 0x10 of the last group = negative; from the third run
 * on, each stored as the difference to the run two before.
 */
final class CocoRle {
    private CocoRle() {}

    /**
     * The mask's outline as one ROI (several parts or holes: a composite ROI); null when the mask is empty. Traced
     * within the mask's own bounds: a few objects' masks on a large image cost their size, not the image's.
     */
    static Roi outline(JsonObject rle, String which) {
        int h = size(rle, which)[0];
        long[] runs = checkedRuns(rle, which);
        int x0 = Integer.MAX_VALUE, x1 = -1, y0 = Integer.MAX_VALUE, y1 = -1;
        long index = 0;
        for (int r = 0; r < runs.length; index += runs[r++]) {
            if (r % 2 == 0 || runs[r] == 0) continue;
            long last = index + runs[r] - 1;
            int first = (int) (index / h), end = (int) (last / h); // the columns this run of 1s touches
            x0 = Math.min(x0, first);
            x1 = Math.max(x1, end);
            y0 = Math.min(y0, first == end ? (int) (index % h) : 0);
            y1 = Math.max(y1, first == end ? (int) (last % h) : h - 1);
        }
        if (x1 < 0) return null;
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1, left = x0, top = y0;
        int[] crop = new int[bw * bh];
        paint(runs, h, (x, y) -> crop[(y - top) * bw + x - left] = 1);
        return LabelResults.outline(crop, bw, bh, left, top);
    }

    /** The mask as 0/1 per pixel, row-major [height × width] (as ImageJ stores pixels). */
    static int[] decode(JsonObject rle, String which) {
        int[] hw = size(rle, which);
        int h = hw[0], w = hw[1];
        int[] mask = new int[h * w];
        paint(checkedRuns(rle, which), h, (x, y) -> mask[y * w + x] = 1);
        return mask;
    }

    private interface Pixel {
        void set(int x, int y);
    }

    /** Calls {@code pixel} for each pixel of the runs of 1s, column-major: down each column, then the next. */
    private static void paint(long[] runs, int h, Pixel pixel) {
        long index = 0;
        for (int r = 0; r < runs.length; index += runs[r++])
            if (r % 2 == 1) for (long i = index; i < index + runs[r]; i++) pixel.set((int) (i / h), (int) (i % h));
    }

    /** The runs, checked to cover no more than the mask's pixels. */
    private static long[] checkedRuns(JsonObject rle, String which) {
        int[] hw = size(rle, which);
        long[] runs = runs(rle.get("counts"), which);
        long total = 0;
        for (long run : runs) {
            total += run;
            if (run < 0 || total > (long) hw[0] * hw[1])
                throw new IllegalArgumentException(which + ": its run-length mask's runs do not add up to its size "
                        + hw[1] + " × " + hw[0] + "; the mask is damaged (export it again)");
        }
        return runs;
    }

    /** [height, width] from "size". */
    static int[] size(JsonObject rle, String which) {
        JsonElement s = rle.get("size");
        if (s == null || !s.isJsonArray() || s.getAsJsonArray().size() != 2)
            throw new IllegalArgumentException(which + ": its run-length mask has no \"size\": [height, width]");
        int h = s.getAsJsonArray().get(0).getAsInt(),
                w = s.getAsJsonArray().get(1).getAsInt();
        if (h <= 0 || w <= 0)
            throw new IllegalArgumentException(which + ": its run-length mask's size " + s + " is not positive");
        return new int[] {h, w};
    }

    private static long[] runs(JsonElement counts, String which) {
        if (counts != null && counts.isJsonArray()) {
            JsonArray a = counts.getAsJsonArray();
            long[] out = new long[a.size()];
            for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
            return out;
        }
        if (counts != null && counts.isJsonPrimitive()) return decompress(counts.getAsString(), which);
        throw new IllegalArgumentException(which + ": its run-length mask has no \"counts\"");
    }

    /** pycocotools' compressed counts (rleFrString): see the class comment. */
    static long[] decompress(String s, String which) {
        long[] runs = new long[s.length()];
        int m = 0, p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length())
                    throw new IllegalArgumentException(which + ": its compressed run-length mask ends inside a number");
                int c = s.charAt(p) - 48;
                if (c < 0 || c > 63)
                    throw new IllegalArgumentException(which + ": its compressed run-length mask holds '" + s.charAt(p)
                            + "', not a pycocotools RLE character");
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (m > 2) x += runs[m - 2];
            runs[m++] = x;
        }
        return Arrays.copyOf(runs, m);
    }
}
