package org.cnnj.spark;

import java.io.Serializable;

/**
 * One object found in a block, in the whole image's coordinates: its pixels as runs along x ({@code runs}: y, x0, x1
 * with x1 exclusive, per run) and its measurements; {@code block}: the block that found it (and owns its centroid).
 * {@code id} is 0 until the run numbers all objects.
 */
record BlockObject(
        long id,
        long block,
        int[] runs,
        long area,
        double centroidX,
        double centroidY,
        long[] box,
        double meanIntensity)
        implements Serializable {
    BlockObject withId(long n) {
        return new BlockObject(n, block, runs, area, centroidX, centroidY, box, meanIntensity);
    }

    /** Block and first pixel: which block found it, and where, before the objects are numbered. */
    String key() {
        return block + ":" + runs[0] + ":" + runs[1];
    }
}
