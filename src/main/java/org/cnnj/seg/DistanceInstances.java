package org.cnnj.seg;

import java.util.Arrays;

/**
 * Objects from a foreground mask and a predicted normalized distance map ({@link DistanceMap}): seeds
 * are the 4-connected regions where the distance exceeds {@code seedThreshold} (the cores of the
 * objects, apart even where nuclei touch, because the map dips to 0 between them), and a seeded
 * watershed grows them over the foreground from high to low distance, so each foreground pixel joins
 * the seed it is reached from first along descending distance. Foreground regions without a seed (small
 * or faint objects) become objects of their own when they have {@code minObjectPixels}.
 * Shapes: foreground, distance and the result [H·W].
 */
public final class DistanceInstances {
    /** How the maps are cut into objects. */
    public record Options(float seedThreshold, int minSeedPixels, int minObjectPixels) {
        public Options {
            if (!(seedThreshold > 0 && seedThreshold < 1)) throw new IllegalArgumentException("seed threshold must be in (0, 1), got " + seedThreshold);
            if (minSeedPixels < 1 || minObjectPixels < 1) throw new IllegalArgumentException("minimum seed and object sizes must be >= 1 pixel");
        }

        public static Options defaults() {
            return new Options(0.5f, 4, 8);
        }
    }

    private static final int LEVELS = 256;

    private DistanceInstances() {}

    /** Label image 1..n (0 = background). */
    public static int[] decode(boolean[] foreground, float[] distance, int width, int height, Options o) {
        int n = width * height;
        int[] labels = new int[n];
        int next = seeds(foreground, distance, width, height, o, labels);
        grow(foreground, distance, width, height, labels);
        // Foreground left unreached has no seed: keep it as objects of its own when large enough.
        IntQueue component = new IntQueue();
        for (int start = 0; start < n; start++) {
            if (!foreground[start] || labels[start] != 0) continue;
            int label = ++next;
            flood(start, label, width, height, labels, component, p -> foreground[p]);
            if (component.size < o.minObjectPixels()) {
                for (int i = 0; i < component.size; i++) labels[component.data[i]] = -1;
                next--;
            }
        }
        for (int p = 0; p < n; p++) if (labels[p] < 0) labels[p] = 0;
        return labels;
    }

    /** Labels the seed regions 1..k (dropping those under minSeedPixels) and returns k. */
    private static int seeds(boolean[] foreground, float[] distance, int width, int height, Options o, int[] labels) {
        int next = 0;
        IntQueue component = new IntQueue();
        java.util.function.IntPredicate core = p -> foreground[p] && distance[p] > o.seedThreshold();
        for (int start = 0; start < labels.length; start++) {
            if (labels[start] != 0 || !core.test(start)) continue;
            int label = ++next;
            flood(start, label, width, height, labels, component, core);
            if (component.size < o.minSeedPixels()) {
                for (int i = 0; i < component.size; i++) labels[component.data[i]] = 0;
                next--;
            }
        }
        return next;
    }

    /** Breadth-first fill of the 4-connected region of {@code inside} pixels from start; the pixels are left in {@code component}. */
    private static void flood(int start, int label, int width, int height, int[] labels, IntQueue component, java.util.function.IntPredicate inside) {
        component.clear();
        labels[start] = label;
        component.add(start);
        for (int head = 0; head < component.size; head++) {
            int p = component.data[head], x = p % width;
            if (x > 0 && labels[p - 1] == 0 && inside.test(p - 1)) add(labels, component, p - 1, label);
            if (x < width - 1 && labels[p + 1] == 0 && inside.test(p + 1)) add(labels, component, p + 1, label);
            if (p >= width && labels[p - width] == 0 && inside.test(p - width)) add(labels, component, p - width, label);
            if (p + width < labels.length && labels[p + width] == 0 && inside.test(p + width)) add(labels, component, p + width, label);
        }
    }

    private static void add(int[] labels, IntQueue queue, int q, int label) {
        labels[q] = label;
        queue.add(q);
    }

    /**
     * Priority flood with a bucket queue over quantized distance: a pixel is queued at the lower of its
     * own level and its discoverer's, so the flood never climbs back up, and the highest level is always
     * taken first (ties in arrival order).
     */
    private static void grow(boolean[] foreground, float[] distance, int width, int height, int[] labels) {
        IntQueue[] buckets = new IntQueue[LEVELS];
        for (int b = 0; b < LEVELS; b++) buckets[b] = new IntQueue();
        byte[] queued = new byte[labels.length];
        IntQueue seeds = new IntQueue(); // listed first: pushing labels neighbours, which must not count as seeds
        for (int p = 0; p < labels.length; p++) if (labels[p] > 0) seeds.add(p);
        for (int i = 0; i < seeds.size; i++) push(seeds.data[i], LEVELS - 1, foreground, distance, width, labels, queued, buckets);
        for (int level = LEVELS - 1; level >= 0; level--) {
            IntQueue bucket = buckets[level];
            for (int head = 0; head < bucket.size; head++) {
                int p = bucket.data[head];
                push(p, level, foreground, distance, width, labels, queued, buckets);
            }
            bucket.clear();
        }
    }

    /** Gives p's unlabelled foreground neighbours p's label and queues them at min(their level, {@code level}). */
    private static void push(int p, int level, boolean[] foreground, float[] distance, int width, int[] labels, byte[] queued, IntQueue[] buckets) {
        int x = p % width, l = labels[p];
        if (x > 0) visit(p - 1, l, level, foreground, distance, labels, queued, buckets);
        if (x < width - 1) visit(p + 1, l, level, foreground, distance, labels, queued, buckets);
        if (p >= width) visit(p - width, l, level, foreground, distance, labels, queued, buckets);
        if (p + width < labels.length) visit(p + width, l, level, foreground, distance, labels, queued, buckets);
    }

    private static void visit(int q, int label, int level, boolean[] foreground, float[] distance, int[] labels, byte[] queued, IntQueue[] buckets) {
        if (!foreground[q] || labels[q] != 0 || queued[q] != 0) return;
        labels[q] = label;
        queued[q] = 1;
        int own = (int) Math.min(LEVELS - 1, Math.max(0, distance[q] * (LEVELS - 1)));
        buckets[Math.min(own, level)].add(q);
    }

    /** A growable int array used as a FIFO (no boxing). */
    private static final class IntQueue {
        int[] data = new int[256];
        int size;

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, data.length * 2);
            data[size++] = v;
        }

        void clear() {
            size = 0;
        }
    }
}
