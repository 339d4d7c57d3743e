package org.cnnj.cls;

import java.util.List;
import org.cnnj.data.Microscope;
import org.cnnj.util.Rng;

/**
 * Deterministic synthetic single-cell crops (nuclear stain) of four phenotypes, for tests, demos and the shipped
 * example classifier:
 *
 * <ul>
 * <li>{@code interphase}: one round-to-oval nucleus (radius 0.2–0.3 S), dim, with smooth chromatin texture;</li>
 * <li>{@code mitotic}: condensed chromatin, bright: a metaphase plate (a thin bar) or a compact irregular blob;</li>
 * <li>{@code apoptotic}: 3–7 small bright round fragments scattered around the centre;</li>
 * <li>{@code elongated}: one rod-like nucleus 2.5–4× longer than wide, any orientation.</li>
 * </ul>
 *
 * Each crop gets a random position jitter, brightness, background, blur and Poisson + Gaussian noise (0..255 photon
 * counts), and sometimes a dim neighbour cut by the border, as crops around segmented nuclei have. Same seed, same crop.
 */
public final class SyntheticCells {
    public static final List<String> CLASSES = List.of("interphase", "mitotic", "apoptotic", "elongated");

    private SyntheticCells() {}

    /** A size×size crop of phenotype {@code label} (index into {@link #CLASSES}). */
    public static float[] crop(long seed, int label, int size) {
        if (size < 16) throw new IllegalArgumentException("synthetic cells: crops must be at least 16 px, got " + size);
        Rng rng = new Rng(seed * 31 + label);
        float[] signal = new float[size * size];
        double c = (size - 1) / 2.0, jitter = 0.06 * size;
        double cx = c + jitter * (2 * rng.uniform() - 1), cy = c + jitter * (2 * rng.uniform() - 1);
        double brightness = 60 + 60 * rng.uniform();
        switch (label) {
            case 0 -> {
                double r = size * (0.2 + 0.1 * rng.uniform());
                ellipse(
                        signal,
                        size,
                        cx,
                        cy,
                        r,
                        r * (0.8 + 0.2 * rng.uniform()),
                        Math.PI * rng.uniform(),
                        brightness,
                        0.35,
                        rng);
            }
            case 1 -> {
                if (rng.uniform() < 0.5) { // metaphase plate
                    double len = size * (0.22 + 0.08 * rng.uniform());
                    ellipse(
                            signal,
                            size,
                            cx,
                            cy,
                            len,
                            size * 0.05,
                            Math.PI * rng.uniform(),
                            2.2 * brightness,
                            0.2,
                            rng);
                } else { // prophase/prometaphase: a compact, bright, lumpy blob
                    for (int i = 0; i < 6; i++) {
                        double a = 2 * Math.PI * rng.uniform(), d = size * 0.06 * rng.uniform();
                        ellipse(
                                signal,
                                size,
                                cx + d * Math.cos(a),
                                cy + d * Math.sin(a),
                                size * 0.08,
                                size * 0.06,
                                Math.PI * rng.uniform(),
                                1.6 * brightness,
                                0.2,
                                rng);
                    }
                }
            }
            case 2 -> {
                int fragments = 3 + rng.nextInt(5);
                for (int i = 0; i < fragments; i++) {
                    double a = 2 * Math.PI * rng.uniform(), d = size * (0.08 + 0.17 * rng.uniform());
                    double r = size * (0.04 + 0.04 * rng.uniform());
                    ellipse(
                            signal,
                            size,
                            cx + d * Math.cos(a),
                            cy + d * Math.sin(a),
                            r,
                            r,
                            0,
                            1.8 * brightness,
                            0.1,
                            rng);
                }
            }
            case 3 -> {
                double len = size * (0.28 + 0.1 * rng.uniform()), width = len / (2.5 + 1.5 * rng.uniform());
                ellipse(signal, size, cx, cy, len, width, Math.PI * rng.uniform(), brightness, 0.3, rng);
            }
            default -> throw new IllegalArgumentException("synthetic cells: no phenotype " + label + " in " + CLASSES);
        }
        if (rng.uniform() < 0.4) { // a dim neighbour at the border
            double a = 2 * Math.PI * rng.uniform(), r = size * 0.2;
            ellipse(
                    signal,
                    size,
                    c + 0.62 * size * Math.cos(a),
                    c + 0.62 * size * Math.sin(a),
                    r,
                    r,
                    0,
                    0.6 * brightness,
                    0.3,
                    rng);
        }
        float[] blurred = Microscope.blur(signal, size, size, 0.8 + 0.7 * rng.uniform());
        double background = 5 + 10 * rng.uniform();
        float[] out = new float[blurred.length];
        for (int i = 0; i < out.length; i++)
            out[i] = (float) (Microscope.poisson(background + blurred[i], rng) + 2 * rng.normal());
        return out;
    }

    /** Adds a filled ellipse (semi-axes a, b, rotated by {@code angle}) with multiplicative texture. */
    private static void ellipse(
            float[] img,
            int size,
            double cx,
            double cy,
            double a,
            double b,
            double angle,
            double value,
            double texture,
            Rng rng) {
        double cos = Math.cos(angle), sin = Math.sin(angle);
        double p1 = 2 * Math.PI * rng.uniform(), p2 = 2 * Math.PI * rng.uniform(), f = 0.5 + rng.uniform();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dx = x - cx, dy = y - cy, u = (cos * dx + sin * dy) / a, v = (-sin * dx + cos * dy) / b;
                if (u * u + v * v > 1) continue;
                double grain = 1 + texture * Math.sin(f * x + p1) * Math.sin(f * 0.8 * y + p2);
                img[y * size + x] = (float) Math.max(img[y * size + x], value * grain);
            }
        }
    }
}
