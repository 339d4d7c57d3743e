package org.cnnj.seg;

import java.util.Arrays;

/**
 * Turns a per-pixel class map (0 background, 1 interior, 2 boundary) into separated objects: interior
 * components (4-connected) are the seeds, which then grow into adjacent boundary pixels one ring per
 * pass (a watershed on the distance into the boundary band). Touching nuclei stay apart because the
 * network marks the line between them as boundary. Memory beyond the label image stays small (queues
 * grow with one component or one ring), so a 16k × 16k image fits next to its labels.
 */
public final class Instances {
    private Instances() {}

    /** Label image 1..n (0 = background); seeds smaller than {@code minSeedPixels} are dropped as noise. */
    public static int[] fromThreeClass(int[] classes, int width, int height, int minSeedPixels) {
        byte[] b = new byte[classes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) classes[i];
        return fromThreeClass(b, width, height, minSeedPixels);
    }

    public static int[] fromThreeClass(byte[] classes, int width, int height, int minSeedPixels) {
        int[] labels = new int[classes.length];
        int next = 0;
        IntList component = new IntList();
        for (int start = 0; start < classes.length; start++) {
            if (classes[start] != 1 || labels[start] != 0) continue;
            int label = ++next;
            component.clear();
            labels[start] = label;
            component.add(start);
            for (int head = 0; head < component.size; head++) {
                int p = component.data[head], x = p % width, y = p / width;
                if (x > 0) visit(classes, labels, component, p - 1, label);
                if (x < width - 1) visit(classes, labels, component, p + 1, label);
                if (y > 0) visit(classes, labels, component, p - width, label);
                if (y < height - 1) visit(classes, labels, component, p + width, label);
            }
            if (component.size < minSeedPixels) {
                for (int i = 0; i < component.size; i++) labels[component.data[i]] = 0;
                next--;
            }
        }
        growIntoBoundary(classes, labels, width, height);
        return labels;
    }

    private static void visit(byte[] classes, int[] labels, IntList queue, int q, int label) {
        if (classes[q] == 1 && labels[q] == 0) {
            labels[q] = label;
            queue.add(q);
        }
    }

    /**
     * Each pass gives every unlabelled boundary pixel that touches a labelled one the first such
     * neighbour's label, using only labels from earlier passes, so each ring goes to the nearest seed.
     */
    private static void growIntoBoundary(byte[] classes, int[] labels, int width, int height) {
        IntList ring = new IntList(), ringLabels = new IntList();
        for (int pass = 0; ; pass++) {
            ring.clear();
            ringLabels.clear();
            for (int p = 0; p < labels.length; p++) {
                if (classes[p] != 2 || labels[p] != 0) continue;
                int x = p % width, y = p / width, l = 0;
                if (x > 0) l = labels[p - 1];
                if (l == 0 && x < width - 1) l = labels[p + 1];
                if (l == 0 && y > 0) l = labels[p - width];
                if (l == 0 && y < height - 1) l = labels[p + width];
                if (l != 0) {
                    ring.add(p);
                    ringLabels.add(l);
                }
            }
            if (ring.size == 0) return;
            for (int i = 0; i < ring.size; i++) labels[ring.data[i]] = ringLabels.data[i];
        }
    }

    public static int count(int[] labels) {
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        boolean[] seen = new boolean[max + 1];
        int n = 0;
        for (int l : labels) {
            if (l != 0 && !seen[l]) {
                seen[l] = true;
                n++;
            }
        }
        return n;
    }

    /** A growable int array (no boxing). */
    private static final class IntList {
        int[] data = new int[1024];
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
