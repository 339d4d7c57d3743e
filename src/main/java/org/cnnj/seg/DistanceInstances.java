package org.cnnj.seg;

import java.util.Arrays;
import org.cnnj.runtime.VolumeSize;

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

    /**
     * Label image 1..n (0 = background). One int per pixel besides the result: {@code parent} is the union–find
     * forest and becomes the labels; a root holds −(k + 2) for its basin's index k into the per-basin arrays (peak,
     * area, id), −1 marks a pixel not yet reached. Keeping the per-basin values off per-pixel arrays saves three
     * arrays of the image's size, which in a folder of small images were fresh memory touched for each image.
     */
    public static int[] decode(boolean[] foreground, float[] distance, int width, int height, Options o) {
        return decode(foreground, distance, new VolumeSize(1, height, width), o);
    }

    /**
     * The same for a volume [D·H·W] (six neighbours: x, y and z); {@code depth} 1 is the image case. The result is a
     * label volume 1..n.
     */
    public static int[] decode(boolean[] foreground, float[] distance, VolumeSize size, Options o) {
        int width = size.width(), height = size.height(), depth = size.depth();
        float dynamic = o.splitDepth();
        int plane = width * height, n = plane * depth;
        int[] order = byDescendingDistance(foreground, distance);
        int[] parent = new int[n];
        Arrays.fill(parent, UNREACHED);
        float[] peak = new float[64];
        int basins = 0;
        int[] roots = new int[6];
        for (int p : order) {
            float d = distance[p];
            int count = 0, x = p % width, inPlane = p % plane;
            if (x > 0) count = addRoot(parent, p - 1, roots, count);
            if (x < width - 1) count = addRoot(parent, p + 1, roots, count);
            if (inPlane >= width) count = addRoot(parent, p - width, roots, count);
            if (inPlane + width < plane) count = addRoot(parent, p + width, roots, count);
            if (p >= plane) count = addRoot(parent, p - plane, roots, count);
            if (p + plane < n) count = addRoot(parent, p + plane, roots, count);
            if (count == 0) {
                if (basins == peak.length) peak = Arrays.copyOf(peak, 2 * basins);
                peak[basins] = d;
                parent[p] = rootCode(basins++);
                continue;
            }
            int top = roots[0];
            for (int i = 1; i < count; i++)
                if (peakOf(parent, peak, roots[i]) > peakOf(parent, peak, top)) top = roots[i];
            parent[p] = top;
            for (int i = 0; i < count; i++) {
                int r = roots[i];
                // a shallow basin: part of the higher one
                if (r != top && peakOf(parent, peak, r) - d < dynamic) parent[r] = top;
            }
        }
        // Every pixel takes its root's code, so later finds through it stop there with the same answer.
        int[] area = new int[basins];
        for (int p : order) {
            int code = parent[find(parent, p)];
            parent[p] = code;
            area[basinOf(code)]++;
        }
        int next = 0;
        int[] id = new int[basins];
        for (int p : order) { // ids in the order the basins' pixels come, highest first
            int k = basinOf(parent[p]);
            if (area[k] < o.minObjectPixels()) parent[p] = 0;
            else parent[p] = id[k] == 0 ? (id[k] = ++next) : id[k];
        }
        for (int i = 0; i < n; i++) if (parent[i] == UNREACHED) parent[i] = 0;
        return parent;
    }

    private static final int UNREACHED = -1;

    private static int rootCode(int basin) {
        return -basin - 2;
    }

    private static int basinOf(int code) {
        return -code - 2;
    }

    private static float peakOf(int[] parent, float[] peak, int root) {
        return peak[basinOf(parent[root])];
    }

    private static int addRoot(int[] parent, int q, int[] roots, int count) {
        if (parent[q] == UNREACHED) return count;
        int r = find(parent, q);
        for (int i = 0; i < count; i++) if (roots[i] == r) return count;
        roots[count] = r;
        return count + 1;
    }

    /** The root of p's tree (the pixel whose parent is a basin code), with the path compressed. */
    private static int find(int[] parent, int p) {
        int r = p;
        while (parent[r] >= 0) r = parent[r];
        while (p != r) {
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
