package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DistanceInstancesTest {
    /** Two discs of radius r touching along a line: one object each side. */
    private static int[] touchingDiscs(int w, int h, int r) {
        int[] labels = new int[w * h];
        int cy = h / 2, c1 = w / 2 - r, c2 = w / 2 + r;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int d1 = (x - c1) * (x - c1) + (y - cy) * (y - cy), d2 = (x - c2) * (x - c2) + (y - cy) * (y - cy);
                if (d1 <= r * r && d1 <= d2) labels[y * w + x] = 1;
                else if (d2 <= r * r) labels[y * w + x] = 2;
            }
        }
        return labels;
    }

    @Test
    void distanceMapIsExactAndNormalizedPerObject() {
        int w = 64, h = 40, r = 12;
        int[] labels = touchingDiscs(w, h, r);
        float[] d = DistanceMap.normalized(labels, w, h);
        int cy = h / 2, c1 = w / 2 - r;
        assertEquals(1f, d[cy * w + c1], 1e-6f, "the centre of each disc is its farthest point from the outline");
        assertEquals(0f, d[cy * w + w / 2], 1e-6f, "the line where the discs touch is outline for both");
        assertEquals(0f, d[0], 0f, "background");
        // Brute force: distance to the nearest pixel of other label (0 or the other disc's edge), on a pixel halfway
        // out.
        int p = cy * w + c1 - r / 2;
        float[] sq = DistanceMap.squaredDistance(labels, w, h);
        double best = Double.MAX_VALUE;
        for (int q = 0; q < labels.length; q++) {
            boolean feature = labels[q] == 0
                    || (q % w > 0 && labels[q - 1] != labels[q] && labels[q - 1] != 0)
                    || (q % w < w - 1 && labels[q + 1] != labels[q] && labels[q + 1] != 0);
            if (!feature) continue;
            double dx = q % w - p % w, dy = q / w - p / w;
            best = Math.min(best, dx * dx + dy * dy);
        }
        assertEquals(best, sq[p], 1e-3);
    }

    @Test
    void basinsOfTheTrueMapSeparateTouchingObjectsThatTheMaskMerges() {
        SyntheticNuclei.Sample s = SyntheticNuclei.generate(7, 192, 192);
        int w = 192, h = 192;
        int[] truth = s.labels();
        boolean[] fg = new boolean[truth.length];
        for (int i = 0; i < fg.length; i++) fg[i] = truth[i] > 0;
        float[] d = DistanceMap.normalized(truth, w, h);
        // The exact map dips to 0 between touching objects; a split depth of 0.3 keeps the ridges of irregular ones
        // whole.
        int[] decoded = DistanceInstances.decode(fg, d, w, h, new DistanceInstances.Options(0.3f, 8));
        InstanceMatching.Result m = InstanceMatching.match(truth, decoded, 0.5);
        assertTrue(m.averagePrecision() > 0.95, "AP from the exact distance map " + m.averagePrecision());
        // The mask alone (connected components) merges touching nuclei: the distance seeds must find more objects.
        int[] components =
                DistanceInstances.decode(fg, new float[truth.length], w, h, DistanceInstances.Options.defaults());
        assertTrue(
                Instances.count(decoded) > Instances.count(components),
                Instances.count(decoded) + " vs " + Instances.count(components));
    }

    @Test
    void twoTouchingDiscsBecomeTwoObjectsAndKeepTheirPixels() {
        int w = 64, h = 40;
        int[] labels = touchingDiscs(w, h, 12);
        boolean[] fg = new boolean[labels.length];
        for (int i = 0; i < fg.length; i++) fg[i] = labels[i] > 0;
        int[] out = DistanceInstances.decode(
                fg, DistanceMap.normalized(labels, w, h), w, h, DistanceInstances.Options.defaults());
        assertEquals(2, Instances.count(out));
        InstanceMatching.Result m = InstanceMatching.match(labels, out, 0.9);
        assertEquals(2, m.truePositives(), "both discs recovered at IoU 0.9");
        for (int i = 0; i < out.length; i++)
            assertEquals(fg[i], out[i] > 0, "every foreground pixel belongs to an object");
    }

    @Test
    void aShallowDipKeepsOneObjectAndADeepOneSplitsIt() {
        // A 1-D profile along a strip: two peaks (1.0 and 0.8) with a saddle of 0.65 between them.
        int w = 21, h = 1;
        float[] d = new float[w];
        boolean[] fg = new boolean[w];
        for (int x = 0; x < w; x++) {
            fg[x] = true;
            d[x] = x <= 10 ? 0.65f + 0.35f * (1 - Math.abs(x - 5) / 5f) : 0.65f + 0.15f * (1 - Math.abs(x - 15) / 5f);
        }
        assertEquals(
                2,
                Instances.count(DistanceInstances.decode(fg, d, w, h, new DistanceInstances.Options(0.1f, 1))),
                "0.8 - 0.65 > 0.1: two");
        assertEquals(
                1,
                Instances.count(DistanceInstances.decode(fg, d, w, h, new DistanceInstances.Options(0.2f, 1))),
                "0.8 - 0.65 < 0.2: one");
    }
}
