package org.cnnj.seg;

import java.util.Arrays;

/**
 * The size of the objects in a label image, as one number: the median object's equivalent diameter
 * 2·√(area/π) in pixels. A model is trained with every image rescaled so this is the same for all of
 * them, and images are rescaled to it before the model sees them (as Cellpose and StarDist advise).
 */
public final class ObjectSize {
    private ObjectSize() {}

    /** Median equivalent diameter of labels 1..n (0 = background); NaN when there is no object. */
    public static double medianDiameter(int[] labels) {
        return diameterOfMedian(areas(labels));
    }

    /** Equivalent diameter of the median of these object areas; NaN when there are none. */
    public static double diameterOfMedian(int[] areas) {
        if (areas.length == 0) return Double.NaN;
        int[] sorted = areas.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return diameter(n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]));
    }

    /** The area in pixels of each object present in labels 1..n (0 = background). */
    public static int[] areas(int[] labels) {
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        int[] area = new int[max + 1];
        for (int l : labels) if (l > 0) area[l]++;
        return Arrays.stream(area, 1, max + 1).filter(a -> a > 0).toArray();
    }

    /** Equivalent diameter of a disc with {@code area} pixels. */
    public static double diameter(double area) {
        return 2 * Math.sqrt(area / Math.PI);
    }

    /** Median of finite values (NaN when there are none). */
    public static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
    }
}
