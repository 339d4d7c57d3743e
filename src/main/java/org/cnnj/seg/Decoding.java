package org.cnnj.seg;

import java.util.Arrays;

/**
 * How a distance model's maps become objects, beyond the split depth: pixels whose foreground probability (1 −
 * p(background)) exceeds {@code foreground} make up objects; an object is kept only when one of its pixels reaches
 * {@code seed} (hysteresis: a dim nucleus is drawn to its full extent at the lower threshold as long as the model is
 * sure of it somewhere; {@code seed} = {@code foreground}: every object); and with {@code relativeSpeck} > 0 only when
 * its area is at least that fraction of the median object area of its image (a speck is small relative to the nuclei
 * around it, whatever their size). With {@code lowest} in (0, foreground) each object is outlined at its own
 * threshold: {@code foreground} × the highest probability the model gives it, never below {@code lowest} — an object
 * the model is sure of (peak ≈ 1) keeps the outline it has at {@code foreground}, a dim nucleus that the model marks
 * at a lower probability all over (peak 0.65, say) is drawn to its full extent (at 0.39) instead of as its core, which
 * one lower threshold for all would do only by swelling and joining the sure objects too. Which objects there are does
 * not change: each must still pass {@code seed} somewhere. {@link #DEFAULT} is what the first real-nuclei model
 * shipped with.
 */
public record Decoding(float foreground, float seed, float relativeSpeck, float lowest) {
    /** Foreground above 0.6, every object, no relative speck rule, each object outlined at 0.6. */
    public static final Decoding DEFAULT = new Decoding(0.6f, 0.6f, 0f);

    public Decoding {
        if (!(foreground > 0 && foreground < 1 && seed >= foreground && seed < 1)) {
            throw new IllegalArgumentException(
                    "decoding: thresholds must satisfy 0 < foreground <= seed < 1, got " + foreground + ", " + seed);
        }
        if (!(relativeSpeck >= 0 && relativeSpeck < 1))
            throw new IllegalArgumentException(
                    "decoding: the relative speck size must be in [0, 1), got " + relativeSpeck);
        if (!(lowest == 0 || (lowest > 0 && lowest < foreground)))
            throw new IllegalArgumentException(
                    "decoding: the lowest outline threshold must be 0 (off) or between 0 and the foreground threshold "
                            + foreground + ", got " + lowest);
    }

    /** Every object outlined at {@code foreground}. */
    public Decoding(float foreground, float seed, float relativeSpeck) {
        this(foreground, seed, relativeSpeck, 0f);
    }

    /** The same with each object outlined relative to its peak, never below {@code threshold} (0: off). */
    public Decoding withLowest(float threshold) {
        return new Decoding(foreground, seed, relativeSpeck, threshold);
    }

    /** Whether each object is outlined at its own threshold ({@link #lowest} above 0). */
    public boolean perObject() {
        return lowest > 0;
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

    /**
     * Objects decoded on the mask above {@link #lowest} (labels 1..n), each cut back to its pixels above its own
     * threshold ({@link #foreground} × its peak {@code probability}, at least {@link #lowest}); objects that never pass
     * {@link #seed} (or {@link #foreground} without hysteresis) are dropped, and so are those left with fewer than
     * {@code minPixels}. Numbered again 1..m in their order.
     */
    int[] outlineEach(int[] objects, float[] probability, int minPixels) {
        int n = 0;
        for (int id : objects) n = Math.max(n, id);
        float[] peak = new float[n + 1];
        for (int i = 0; i < objects.length; i++) peak[objects[i]] = Math.max(peak[objects[i]], probability[i]);
        float[] cut = new float[n + 1];
        for (int id = 1; id <= n; id++) cut[id] = Math.max(lowest, foreground * peak[id]);
        int[] area = new int[n + 1];
        for (int i = 0; i < objects.length; i++) if (probability[i] > cut[objects[i]]) area[objects[i]]++;
        int[] renumber = new int[n + 1];
        int next = 0;
        for (int id = 1; id <= n; id++) if (peak[id] > seed && area[id] >= minPixels) renumber[id] = ++next;
        int[] out = new int[objects.length];
        for (int i = 0; i < out.length; i++) {
            int id = objects[i];
            if (id > 0 && probability[i] > cut[id]) out[i] = renumber[id];
        }
        return out;
    }
}
