package org.cnnj.seg;

import java.util.Arrays;

/**
 * Objects from a foreground mask and a predicted normalized distance map ({@link DistanceMap}), which
 * rises from 0 at each object's outline to 1 at its centre: the objects are the basins of the map whose
 * peak rises at least {@code splitDepth} above the saddle where they meet a higher basin (the h-maxima
 * of the map, grown by watershed, in one pass). Pixels are taken from high to low distance; a pixel
 * joins the highest of the regions around it, and two regions that meet merge when the lower one's peak
 * is less than {@code splitDepth} above the meeting point. Unlike a fixed seed threshold this separates
 * touching nuclei whose map dips between them only part of the way, and does not split one nucleus on a
 * ripple of its map. Shapes: foreground, distance and the result [H·W].
 */
public final class DistanceInstances {
    /**
     * How the maps are cut into objects: the dip (in normalized distance, 0..1) between two peaks that makes
     * them two objects, and the smallest object kept (pixels).
     */
    public record Options(float splitDepth, int minObjectPixels) {
        public Options {
            if (!(splitDepth > 0 && splitDepth < 1))
                throw new IllegalArgumentException("split depth must be in (0, 1), got " + splitDepth);
            if (minObjectPixels < 1) throw new IllegalArgumentException("the minimum object size must be >= 1 pixel");
        }

        public static Options defaults() {
            return new Options(0.1f, 8);
        }
    }

    private DistanceInstances() {}

    /** Label image 1..n (0 = background). */
    public static int[] decode(boolean[] foreground, float[] distance, int width, int height, Options o) {
        float dynamic = o.splitDepth();
        int minObjectPixels = o.minObjectPixels();
        int n = width * height;
        int[] order = byDescendingDistance(foreground, distance);
        int[] parent = new int[n];
        Arrays.fill(parent, -1);
        float[] peak = new float[n];
        int[] roots = new int[4];
        for (int p : order) {
            float d = distance[p];
            int count = 0, x = p % width;
            if (x > 0) count = addRoot(parent, p - 1, roots, count);
            if (x < width - 1) count = addRoot(parent, p + 1, roots, count);
            if (p >= width) count = addRoot(parent, p - width, roots, count);
            if (p + width < n) count = addRoot(parent, p + width, roots, count);
            if (count == 0) {
                parent[p] = p;
                peak[p] = d;
                continue;
            }
            int top = roots[0];
            for (int i = 1; i < count; i++) if (peak[roots[i]] > peak[top]) top = roots[i];
            parent[p] = top;
            for (int i = 0; i < count; i++) {
                int r = roots[i];
                if (r != top && peak[r] - d < dynamic) parent[r] = top; // a shallow basin: part of the higher one
            }
        }
        int[] labels = new int[n], area = new int[n];
        for (int p : order) area[find(parent, p)]++;
        int next = 0;
        int[] id = new int[n];
        for (int p : order) {
            int r = find(parent, p);
            if (area[r] < minObjectPixels) continue;
            if (id[r] == 0) id[r] = ++next;
            labels[p] = id[r];
        }
        return labels;
    }

    private static int addRoot(int[] parent, int q, int[] roots, int count) {
        if (parent[q] < 0) return count;
        int r = find(parent, q);
        for (int i = 0; i < count; i++) if (roots[i] == r) return count;
        roots[count] = r;
        return count + 1;
    }

    private static int find(int[] parent, int p) {
        int r = p;
        while (parent[r] != r) r = parent[r];
        while (parent[p] != r) { // path compression
            int next = parent[p];
            parent[p] = r;
            p = next;
        }
        return r;
    }

    /** Foreground pixels sorted by distance, highest first (counting sort over 1024 levels; ties in raster order). */
    private static int[] byDescendingDistance(boolean[] foreground, float[] distance) {
        int levels = 1024;
        int[] count = new int[levels + 1];
        int total = 0;
        for (int p = 0; p < foreground.length; p++) {
            if (!foreground[p]) continue;
            count[levelOf(distance[p], levels)]++;
            total++;
        }
        int[] start = new int[levels + 1];
        for (int l = levels - 1, acc = 0; l >= 0; l--) {
            start[l] = acc;
            acc += count[l];
        }
        int[] order = new int[total];
        for (int p = 0; p < foreground.length; p++) if (foreground[p]) order[start[levelOf(distance[p], levels)]++] = p;
        return order;
    }

    private static int levelOf(float d, int levels) {
        return (int) Math.min(levels - 1, Math.max(0, d * levels));
    }
}
