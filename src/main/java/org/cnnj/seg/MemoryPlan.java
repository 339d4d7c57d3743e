package org.cnnj.seg;

import java.util.Locale;

/**
 * Whether an image is segmented whole (every map in memory at once) or in bands of rows (when only that fits the
 * heap), chosen from the memory each needs, and refused at once, with the numbers, when neither fits — instead of
 * dying minutes later with an OutOfMemoryError.
 */
final class MemoryPlan {
    enum Route {
        WHOLE,
        BANDS
    }

    /** Rows decoded at a time on the banded path (whole tiles). */
    static final int BAND_ROWS = 1024;

    private MemoryPlan() {}

    /**
     * Per pixel of a plane, at most: whole — the channels as floats, normalized and resized (× scale²), the class
     * bytes, foreground and distance maps and int labels at the network's size, the int labels and their 16/32-bit
     * copies, and the kept probabilities; in bands — the channels, the labels and their copies, and one band's maps
     * with its margins. Both over-estimate. {@code free}: bytes the heap can still give.
     */
    static Route route(
            SegmentationSpec spec, int w, int h, boolean probabilities, double scale, int tile, long free, long max) {
        long pixels = (long) w * h, reserve = 64L << 20, c = spec.inputChannels();
        double s2 = scale * scale;
        long results = pixels * 8L;
        long whole = (long) (pixels
                        * (4 * c * (2 + s2) + 17 * s2 + (probabilities ? 4.0 * spec.classChannels() * (1 + s2) : 0)))
                + results
                + reserve;
        if (whole <= free) return Route.WHOLE;
        long band = (long) ((Math.max(BAND_ROWS, tile) + 2.0 * tile)
                * Math.ceil(w * scale)
                * 22); // classes, decoding and copies of a band and its margins
        long bands = pixels * 4 * c + results + band + reserve;
        if (!probabilities && bands <= free) return Route.BANDS;
        long need = probabilities ? whole : bands;
        throw new IllegalArgumentException(String.format(
                Locale.ROOT,
                "%d x %d px need about %.1f GB of memory%s but Java has %.1f GB free of %.1f GB:"
                        + " give Java more (Fiji: Edit › Options › Memory & Threads; command line: JAVA_OPTS=-Xmx%dg)%s",
                w,
                h,
                need / 1e9,
                probabilities ? "" : " even in bands of rows",
                free / 1e9,
                max / 1e9,
                (long) Math.ceil((need + (max - free)) / 1e9 * 1.25),
                probabilities ? ", or do not keep the class probabilities (then it can run in bands)" : ""));
    }

    /** As above with the heap's free memory, plus {@code held} bytes already allocated for what the estimate counts. */
    static Route route(SegmentationSpec spec, int w, int h, boolean probabilities, double scale, int tile, long held) {
        Runtime rt = Runtime.getRuntime();
        return route(
                spec,
                w,
                h,
                probabilities,
                scale,
                tile,
                rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) + held,
                rt.maxMemory());
    }
}
