package org.cnnj.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Float arrays recycled from one training step to the next. Every step of a network allocates the same
 * activations and gradients again (hundreds of MB for a U-Net batch); G1 puts arrays over half a region straight
 * into the old generation and collects about once per such step, and fresh arrays fault in new pages. Taken from
 * here, a steady-state step allocates almost nothing.
 *
 * <p>Arrays come back only where their last use is certain: an intermediate gradient once Autograd has passed it
 * on, the values of a graph's intermediate results after {@link Autograd#backwardAndRelease}, and an op's own
 * temporaries. Small arrays (under 64 KB) are left to the allocator; the pool holds at most a quarter of the heap
 * and is emptied when a training run ends ({@link #clear}).
 */
public final class BufferPool {
    /** Smaller arrays are cheap to allocate in a thread-local buffer and not worth tracking. */
    static final int MIN_FLOATS = 1 << 14;

    private static final long CAP_FLOATS = Runtime.getRuntime().maxMemory() / 16;
    private static final Map<Integer, ArrayDeque<Object>> FREE = new HashMap<>();
    private static final Set<Object> POOLED = Collections.newSetFromMap(new IdentityHashMap<>());
    private static long pooledFloats, misses;

    private BufferPool() {}

    /** An array of exactly {@code n} floats with undefined contents: for ops that write every element. */
    public static float[] take(int n) {
        if (n < MIN_FLOATS) return new float[n];
        return poll(n) instanceof float[] a ? a : missed(new float[n]);
    }

    /** An int array of exactly {@code n} values with undefined contents (e.g. max-pooling's winners). */
    public static int[] takeInts(int n) {
        if (n < MIN_FLOATS) return new int[n];
        return poll(-n) instanceof int[] a ? a : missed(new int[n]);
    }

    private static synchronized <T> T missed(T fresh) {
        misses++;
        return fresh;
    }

    /** Arrays of a pooled size that had to be allocated because none was free, since the JVM started. */
    public static synchronized long misses() {
        return misses;
    }

    /** Arrays are filed by length, int arrays under minus their length. */
    private static synchronized Object poll(int key) {
        ArrayDeque<Object> free = FREE.get(key);
        Object a = free == null ? null : free.poll();
        if (a != null) {
            POOLED.remove(a);
            pooledFloats -= Math.abs(key);
        }
        return a;
    }

    /** An array of exactly {@code n} zeros. */
    public static float[] takeZeroed(int n) {
        float[] a = take(n);
        if (n >= MIN_FLOATS) Arrays.fill(a, 0f);
        return a;
    }

    /**
     * Hands {@code a} back for reuse. The caller must hold the only reference that will ever read it again; giving
     * the same array twice is ignored.
     */
    public static void give(float[] a) {
        if (a != null) offer(a, a.length);
    }

    public static void give(int[] a) {
        if (a != null) offer(a, -a.length);
    }

    private static synchronized void offer(Object a, int key) {
        int n = Math.abs(key);
        if (n < MIN_FLOATS || pooledFloats + n > CAP_FLOATS || !POOLED.add(a)) return;
        FREE.computeIfAbsent(key, k -> new ArrayDeque<>()).push(a);
        pooledFloats += n;
    }

    /** Lets the garbage collector have every pooled array (the end of a training run). */
    public static synchronized void clear() {
        FREE.clear();
        POOLED.clear();
        pooledFloats = 0;
    }
}
