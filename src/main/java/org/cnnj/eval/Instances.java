package org.cnnj.eval;

import java.util.ArrayDeque;

/**
 * Turns a per-pixel class map (0 background, 1 interior, 2 boundary) into separated objects: interior
 * components (4-connected) are the seeds, which then grow into adjacent boundary pixels, nearest seed
 * first (a watershed on the distance into the boundary band). Touching nuclei stay apart because the
 * network marks the line between them as boundary.
 */
public final class Instances {
    private Instances() {}

    /** Label image 1..n (0 = background); seeds smaller than {@code minSeedPixels} are dropped as noise. */
    public static int[] fromThreeClass(int[] classes, int width, int height, int minSeedPixels) {
        int[] labels = new int[classes.length];
        int next = 0;
        int[] queue = new int[classes.length];
        for (int start = 0; start < classes.length; start++) {
            if (classes[start] != 1 || labels[start] != 0) continue;
            int label = ++next, head = 0, tail = 0;
            labels[start] = label;
            queue[tail++] = start;
            while (head < tail) {
                int p = queue[head++], x = p % width, y = p / width;
                if (x > 0) tail = visit(classes, labels, queue, tail, p - 1, label);
                if (x < width - 1) tail = visit(classes, labels, queue, tail, p + 1, label);
                if (y > 0) tail = visit(classes, labels, queue, tail, p - width, label);
                if (y < height - 1) tail = visit(classes, labels, queue, tail, p + width, label);
            }
            if (tail < minSeedPixels) {
                for (int i = 0; i < tail; i++) labels[queue[i]] = 0;
                next--;
            }
        }
        growIntoBoundary(classes, labels, width, height);
        return labels;
    }

    private static int visit(int[] classes, int[] labels, int[] queue, int tail, int q, int label) {
        if (classes[q] == 1 && labels[q] == 0) {
            labels[q] = label;
            queue[tail++] = q;
        }
        return tail;
    }

    /** Breadth-first from every labelled pixel into unlabelled boundary pixels: each goes to the nearest seed. */
    private static void growIntoBoundary(int[] classes, int[] labels, int width, int height) {
        ArrayDeque<Integer> frontier = new ArrayDeque<>();
        for (int p = 0; p < labels.length; p++) if (labels[p] != 0) frontier.add(p);
        while (!frontier.isEmpty()) {
            int p = frontier.poll(), x = p % width, y = p / width;
            int[] neighbours = {x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1};
            for (int q : neighbours) {
                if (q >= 0 && classes[q] == 2 && labels[q] == 0) {
                    labels[q] = labels[p];
                    frontier.add(q);
                }
            }
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
}
