package org.cnnj.seg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 2.5-D way to 3-D objects with a 2-D model: each slice segmented on its own, then objects of consecutive slices
 * linked where they overlap enough (intersection over union ≥ {@code minIou}), best pairs first, each object linked at
 * most once up and once down — as Cellpose's stitch_threshold does. An object that finds no partner in the slice above
 * starts a new 3-D object. Shapes: slices [D][H·W] of per-slice labels (any numbering) → one label volume [D·H·W] with
 * ids 1..n over the whole stack.
 */
public final class SliceLinking {
    /** The default overlap to link (Cellpose's stitch_threshold is commonly 0.25–0.5). */
    public static final double DEFAULT_MIN_IOU = 0.3;

    private SliceLinking() {}

    public static int[] link(List<int[]> slices, double minIou) {
        if (!(minIou > 0 && minIou <= 1)) throw new IllegalArgumentException("linking: IoU must be in (0, 1]");
        int plane = slices.isEmpty() ? 0 : slices.get(0).length;
        int[] out = new int[plane * slices.size()];
        int next = 0;
        int[] previous = null; // global ids of the slice above
        for (int z = 0; z < slices.size(); z++) {
            int[] local = slices.get(z);
            if (local.length != plane) throw new IllegalArgumentException("linking: slices differ in size");
            Map<Integer, Integer> global = new HashMap<>();
            if (previous != null) global = match(previous, local, minIou);
            int[] ids = new int[plane];
            for (int p = 0; p < plane; p++) {
                int l = local[p];
                if (l == 0) continue;
                Integer g = global.get(l);
                if (g == null) {
                    g = ++next;
                    global.put(l, g);
                }
                ids[p] = g;
            }
            System.arraycopy(ids, 0, out, z * plane, plane);
            previous = ids;
        }
        return out;
    }

    /** Local object → global id of the slice above, for pairs with IoU ≥ minIou, best first, one-to-one. */
    private static Map<Integer, Integer> match(int[] above, int[] local, double minIou) {
        Map<Long, Integer> overlap = new HashMap<>();
        Map<Integer, Integer> areaAbove = new HashMap<>(), areaHere = new HashMap<>();
        for (int p = 0; p < local.length; p++) {
            int a = above[p], b = local[p];
            if (a != 0) areaAbove.merge(a, 1, Integer::sum);
            if (b != 0) areaHere.merge(b, 1, Integer::sum);
            if (a != 0 && b != 0) overlap.merge(((long) a << 32) | b, 1, Integer::sum);
        }
        List<double[]> pairs = new ArrayList<>();
        overlap.forEach((key, inter) -> {
            int a = (int) (key >>> 32), b = (int) (long) key;
            double iou = inter / (double) (areaAbove.get(a) + areaHere.get(b) - inter);
            if (iou >= minIou) pairs.add(new double[] {iou, a, b});
        });
        pairs.sort((x, y) -> Double.compare(y[0], x[0]));
        Map<Integer, Integer> linked = new HashMap<>();
        Set<Integer> taken = new HashSet<>();
        for (double[] pr : pairs) {
            int a = (int) pr[1], b = (int) pr[2];
            if (linked.containsKey(b) || taken.contains(a)) continue;
            linked.put(b, a);
            taken.add(a);
        }
        return linked;
    }
}
