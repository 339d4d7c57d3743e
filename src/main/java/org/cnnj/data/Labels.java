package org.cnnj.data;

/** Facts about a label image (ids 1..max, 0 = background) that every task needs. Shape: labels [H·W] row-major. */
public final class Labels {
    private Labels() {}

    /**
     * Bounding box of each label 1..max: x0, y0, x1, y1 (inclusive) at [4·l, 4·l + 4); x1 = −1 for a label
     * that does not occur. Entries of label 0 are unused.
     */
    public static int[] bounds(int[] labels, int width, int height, int max) {
        int[] b = new int[4 * (max + 1)];
        for (int l = 0; l <= max; l++) {
            b[4 * l] = b[4 * l + 1] = Integer.MAX_VALUE;
            b[4 * l + 2] = b[4 * l + 3] = -1;
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int l = labels[y * width + x];
                if (l <= 0) continue;
                b[4 * l] = Math.min(b[4 * l], x);
                b[4 * l + 1] = Math.min(b[4 * l + 1], y);
                b[4 * l + 2] = Math.max(b[4 * l + 2], x);
                b[4 * l + 3] = Math.max(b[4 * l + 3], y);
            }
        }
        return b;
    }
}
