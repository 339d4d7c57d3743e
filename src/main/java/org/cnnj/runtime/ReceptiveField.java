package org.cnnj.runtime;

import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Measures how far a network looks: the output of a noise image is compared with that of the same image with its
 * centre pixel raised (and, separately, lowered), and the farthest output pixel that changed gives the radius (as
 * StarDist probes its receptive field; noise and both signs keep ReLUs from hiding the change). A tile's halo must cover it for tiled output to equal whole-image output. The probe grows the
 * image (256, 512, 1024 px) while the change reaches its border.
 */
public final class ReceptiveField {
    private ReceptiveField() {}

    /** The radius in pixels, or -1 when even a 1024 px probe is filled by the change (a global operation). */
    public static int radius(Engine engine, int channels, int tileMultiple) {
        for (int size = roundUp(256, tileMultiple); size <= 1024; size = roundUp(2 * size, tileMultiple)) {
            int r = probe(engine, channels, size);
            if (r < size / 2 - 1) return r;
        }
        return -1;
    }

    /** The radius measured on one probe of {@code size} px (a model that takes one size), or -1 when it fills it. */
    public static int radiusAt(Engine engine, int channels, int size) {
        int r = probe(engine, channels, size);
        return r < size / 2 - 1 ? r : -1;
    }

    private static int probe(Engine engine, int channels, int size) {
        Rng rng = new Rng(size);
        float[] base = new float[channels * size * size];
        for (int i = 0; i < base.length; i++) base[i] = rng.uniform();
        float[] a = engine.run(Tensor.of(base, 1, channels, size, size)).data();
        int c = size / 2, radius = 0;
        for (float step : new float[] {1f, -1f}) {
            float[] moved = base.clone();
            for (int ch = 0; ch < channels; ch++) moved[(ch * size + c) * size + c] += step;
            float[] b = engine.run(Tensor.of(moved, 1, channels, size, size)).data();
            int planes = a.length / (size * size);
            for (int p = 0; p < planes; p++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int i = (p * size + y) * size + x;
                        // Exact: outside the receptive field the same arithmetic runs on the same inputs, to the same
                        // bits, while a global operation's tiny change (one pixel in a million) must still count.
                        if (a[i] != b[i]) radius = Math.max(radius, Math.max(Math.abs(y - c), Math.abs(x - c)));
                    }
                }
            }
        }
        return radius;
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
