package org.cnnj.seg;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The areas of the true and predicted objects of two label images and the IoU of every pair that
 * overlaps, counted in one pass; what every object-level score is computed from.
 */
final class Overlaps {
    final Map<Integer, Integer> truthArea = new HashMap<>(), predictedArea = new HashMap<>();
    private final Map<Long, Integer> overlap = new HashMap<>();

    Overlaps(int[] truth, int[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("instance matching: ground truth has " + truth.length
                    + " pixels but the prediction " + predicted.length + "; compare label images of the same size");
        }
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i], p = predicted[i];
            if (t != 0) truthArea.merge(t, 1, Integer::sum);
            if (p != 0) predictedArea.merge(p, 1, Integer::sum);
            if (t != 0 && p != 0) overlap.merge(((long) t << 32) | (p & 0xffffffffL), 1, Integer::sum);
        }
    }

    /** Calls {@code pair} with (true label, predicted label) packed as t << 32 | p, and their IoU, for every overlapping pair. */
    void forEachPair(BiConsumer<Long, Double> pair) {
        for (Map.Entry<Long, Integer> e : overlap.entrySet()) {
            int t = (int) (e.getKey() >>> 32), p = (int) (long) e.getKey();
            double inter = e.getValue();
            pair.accept(e.getKey(), inter / (truthArea.get(t) + predictedArea.get(p) - inter));
        }
    }
}
