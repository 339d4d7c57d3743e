package org.cnnj.util;

import java.util.SplittableRandom;

/** Seeded random numbers for initialization, dropout, shuffling and augmentation: same seed, same run. */
public final class Rng {
    private final SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** An independent stream, e.g. one per data-loader worker, that does not disturb this one's sequence. */
    public Rng split() {
        return new Rng(random.split());
    }

    public float uniform() {
        return (float) random.nextDouble();
    }

    public float uniform(float lo, float hi) {
        return lo + (hi - lo) * (float) random.nextDouble();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal by Box–Muller (no cached second value, so the stream stays simple to reason about). */
    public float normal() {
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        return (float) (Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2));
    }

    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
