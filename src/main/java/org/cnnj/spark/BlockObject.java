package org.cnnj.spark;

import java.io.Serializable;

/**
 * One object found in a block, in the whole image's coordinates: its pixels as runs along x ({@code runs}: z, y, x0,
 * x1 with x1 exclusive, per run; z = 0 in a plane), its centroid (x, y, z), bounding box (x, y, z, width, height,
 * depth), area (voxels in a volume) and mean intensity; {@code block}: the block that found it (and owns its
 * centroid). {@code id} is 0 until the run numbers all objects.
 */
record BlockObject(long id, long block, int[] runs, long area, double[] centroid, long[] box, double meanIntensity)
        implements Serializable {
    /** Ints per run: z, y, x0, x1. */
    static final int RUN = 4;

    BlockObject withId(long n) {
        return new BlockObject(n, block, runs, area, centroid, box, meanIntensity);
    }

    /** Block and first voxel: which block found it, and where, before the objects are numbered. */
    String key() {
        return block + ":" + runs[0] + ":" + runs[1] + ":" + runs[2];
    }
}
