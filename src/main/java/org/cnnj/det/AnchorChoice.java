package org.cnnj.det;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Anchor sizes from the training boxes, so the RPN has anchors for the objects the data actually has
 * (12/24/48 px miss nuclei of 80 px, and waste anchors on sizes that never occur): sizes a factor 2
 * apart (an object between two anchor sizes still overlaps one at IoU ≥ 0.5) from the 2nd percentile of
 * the boxes' √(w·h) up to their 98th, at most {@link #MAX_SIZES}.
 */
public final class AnchorChoice {
    public static final int MAX_SIZES = 6;

    private AnchorChoice() {}

    public static float[] fromBoxes(List<AnnotatedImage> data) {
        List<Float> sides = new ArrayList<>();
        for (AnnotatedImage a : data) {
            float[] b = a.boxes();
            for (int i = 0; i + 3 < b.length; i += 4)
                sides.add((float) Math.sqrt(Math.max(1e-6, (b[i + 2] - b[i]) * (b[i + 3] - b[i + 1]))));
        }
        if (sides.isEmpty())
            throw new IllegalArgumentException(
                    "train-det: there are no boxes to choose anchor sizes from; add ROIs first");
        float[] s = new float[sides.size()];
        for (int i = 0; i < s.length; i++) s[i] = sides.get(i);
        Arrays.sort(s);
        float lo = Math.max(4, s[(int) (0.02 * (s.length - 1))]),
                hi = Math.max(lo, s[(int) Math.ceil(0.98 * (s.length - 1))]);
        // Centre the ladder on the range in log space, so both ends are within a factor √2 of an anchor.
        int count = Math.min(MAX_SIZES, 1 + (int) Math.ceil(Math.log(hi / lo) / Math.log(2) - 1e-9));
        double first = Math.sqrt(lo * hi) / Math.pow(2, (count - 1) / 2.0);
        float[] sizes = new float[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.round(first * Math.pow(2, i) * 10) / 10f;
        return sizes;
    }
}
