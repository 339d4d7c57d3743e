package org.cnnj.util;

/**
 * Per-thread scratch arrays that grow and are reused, so hot loops (im2col panels, packed blocks)
 * allocate nothing per step. Contents are garbage on entry; a slot is owned by one use at a time.
 */
public final class Scratch {
    public static final int COLUMNS = 0, COLUMN_GRADIENT = 1, SPARE = 2;
    private static final ThreadLocal<float[][]> SLOTS = ThreadLocal.withInitial(() -> new float[3][0]);

    private Scratch() {}

    public static float[] get(int slot, int size) {
        float[][] s = SLOTS.get();
        if (s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }
}
