package org.cnnj.seg;

import java.util.Arrays;

/**
 * How a distance model's maps become objects, beyond the split depth: pixels whose foreground probability (1 −
 * p(background)) exceeds {@code foreground} make up objects; an object is kept only when one of its pixels reaches
 * {@code seed} (hysteresis: a dim nucleus is drawn to its full extent at the lower threshold as long as the model is
 * sure of it somewhere; {@code seed} = {@code foreground}: every object); and with {@code relativeSpeck} > 0 only when
 * its area is at least that fraction of the median object area of its image (a speck is small relative to the nuclei
 * around it, whatever their size). {@link #DEFAULT} is what the first real-nuclei model shipped with.
 */
public record Decoding(float foreground, float seed, float relativeSpeck) {
    /** Foreground above 0.6, every object, no relative speck rule. */
    public static final Decoding DEFAULT = new Decoding(0.6f, 0.6f, 0f);

    public Decoding {
        if (!(foreground > 0 && foreground < 1 && seed >= foreground && seed < 1)) {
            throw new IllegalArgumentException(
                    "decoding: thresholds must satisfy 0 < foreground <= seed < 1, got " + foreground + ", " + seed);
        }
        if (!(relativeSpeck >= 0 && relativeSpeck < 1))
            throw new IllegalArgumentException(
                    "decoding: the relative speck size must be in [0, 1), got " + relativeSpeck);
    }

    /** Whether objects must be sure somewhere (seed above the foreground threshold). */
    public boolean hysteresis() {
        return seed > foreground;
    }

    /**
     * The objects that pass the seed and relative-size rules, numbered again 1..n in their order; {@code seeds} marks
     * the pixels above {@link #seed} (null when there is no hysteresis).
     */
    int[] keep(int[] objects, boolean[] seeds) {
        int max = 0;
        for (int id : objects) max = Math.max(max, id);
        if (max == 0 || (seeds == null && relativeSpeck == 0)) return objects;
        boolean[] seeded = new boolean[max + 1];
        int[] area = new int[max + 1];
        for (int i = 0; i < objects.length; i++) {
            int id = objects[i];
            if (id == 0) continue;
            area[id]++;
            if (seeds == null || seeds[i]) seeded[id] = true;
        }
        double least = 0;
        if (relativeSpeck > 0) {
            int[] areas = new int[max];
            int n = 0;
            for (int id = 1; id <= max; id++) if (seeded[id] && area[id] > 0) areas[n++] = area[id];
            if (n > 0) {
                Arrays.sort(areas, 0, n);
                least = relativeSpeck * areas[n / 2];
            }
        }
        int[] renumber = new int[max + 1];
        int next = 0;
        for (int id = 1; id <= max; id++) if (seeded[id] && area[id] >= least && area[id] > 0) renumber[id] = ++next;
        int[] out = new int[objects.length];
        for (int i = 0; i < out.length; i++) out[i] = renumber[objects[i]];
        return out;
    }
}
