package org.cnnj.data;

import java.util.Arrays;
import org.cnnj.util.Rng;

/**
 * What other microscopes, stains and labs do to an image, applied to a training patch that is already normalized
 * (background near 0, bright objects near 1) so that a model learns the objects rather than one lab's rendering of
 * them: uneven expression between objects, gamma, defocus, background haze, contrast and offset, shot and read noise,
 * saturation, and after haze the renormalization such an image would get at apply time. Each effect is drawn with its own
 * probability; the geometry (and so the labels) never changes.
 *
 * <p>Shapes: a patch [C][S·S] flattened as [C·S·S]; objects [S·S] instance ids (0 = background), used for per-object
 * brightness and to tell empty patches.
 *
 * @param objectBrightness probability that each object's signal is scaled by its own factor in [1/4, 1] (GFP
 *     expression, a dim nucleus in focus beside a bright one)
 * @param gamma probability of a gamma in [1/2, 2] (camera curves, exported 8-bit images)
 * @param defocus probability of a Gaussian blur of σ in [0.5, 2] px (defocus, a lower NA)
 * @param haze probability of a smooth background field of up to 0.8 of the signal (tissue autofluorescence, out-of-focus
 *     light)
 * @param noise probability of Poisson–Gaussian noise at 5–200 photons for a bright object and read noise up to 0.05
 * @param saturation probability of clipping the top of the range (over-exposed images)
 * @param inversion probability of inverting (objects dark on a bright background, as in some brightfield images)
 */
public record ImagingAugmentation(
        float objectBrightness,
        float gamma,
        float defocus,
        float haze,
        float noise,
        float saturation,
        float inversion) {
    public ImagingAugmentation {
        for (float p : new float[] {objectBrightness, gamma, defocus, haze, noise, saturation, inversion}) {
            if (!(p >= 0 && p <= 1))
                throw new IllegalArgumentException("augmentation probabilities must be in [0, 1], got " + p);
        }
    }

    /** The probabilities CNN-J's shipped nuclei model was trained with. */
    public static ImagingAugmentation microscopes() {
        return new ImagingAugmentation(0.5f, 0.5f, 0.3f, 0.3f, 0.5f, 0.1f, 0.02f);
    }

    /**
     * The same effects on fewer patches (each on 5–25%, no inversion): what a 12,000-step run needs to learn other
     * optics without unlearning the images it trains on (docs/segmentation.md, M3).
     */
    public static ImagingAugmentation mild() {
        return new ImagingAugmentation(0.25f, 0.2f, 0.1f, 0.1f, 0.15f, 0.05f, 0f);
    }

    /** Only uneven brightness between objects (half the patches), the optics left as they are. */
    public static ImagingAugmentation objects() {
        return new ImagingAugmentation(0.5f, 0, 0, 0, 0, 0, 0);
    }

    /** Changes the patch [C][S·S] in place; {@code objects} [S·S] are its instance ids (0 = background). */
    public void apply(float[] x, int channels, int size, int[] objects, Rng rng) {
        int plane = size * size;
        if (rng.uniform() < objectBrightness) scaleObjects(x, channels, size, objects, rng);
        if (rng.uniform() < gamma) {
            float g = logUniform(0.5f, 2f, rng);
            for (int i = 0; i < channels * plane; i++) if (x[i] > 0) x[i] = (float) Math.pow(x[i], g);
        }
        if (rng.uniform() < defocus) {
            double sigma = rng.uniform(0.5f, 2f);
            for (int c = 0; c < channels; c++) {
                int o = c * plane;
                float[] blurred = Microscope.blur(Arrays.copyOfRange(x, o, o + plane), size, size, sigma);
                System.arraycopy(blurred, 0, x, o, plane);
            }
        }
        // Haze changes what whole-image percentiles would be; other effects keep the patch's relation to its image.
        boolean hazy = rng.uniform() < haze;
        if (hazy) addHaze(x, channels, size, rng);
        if (rng.uniform() < noise) {
            float photons = logUniform(5, 200, rng), read = rng.uniform(0, 0.05f);
            for (int i = 0; i < channels * plane; i++) {
                float v = x[i];
                x[i] = v + (float) (Math.sqrt(Math.max(0, v) / photons) + read) * rng.normal();
            }
        }
        if (rng.uniform() < saturation) {
            float top = rng.uniform(0.4f, 0.9f);
            for (int i = 0; i < channels * plane; i++) x[i] = Math.min(x[i], top) / top;
        }
        if (rng.uniform() < inversion) {
            for (int i = 0; i < channels * plane; i++) x[i] = 1 - x[i];
        }
        if (hazy && hasObjects(objects)) renormalize(x, channels, plane);
    }

    /**
     * Each object's pixels times a factor of its own, log-uniform in [1/4, 1] (background stays). The factor reaches
     * 3 px beyond an object's outline and is then smoothed (σ 1 px), so the blurred rim of a dimmed nucleus is dimmed
     * with it instead of standing out as a bright ring that no microscope makes.
     */
    private static void scaleObjects(float[] x, int channels, int size, int[] objects, Rng rng) {
        int plane = size * size, max = 0;
        for (int i = 0; i < plane; i++) max = Math.max(max, objects[i]);
        if (max == 0) return;
        float[] factor = new float[max + 1];
        factor[0] = 1;
        for (int k = 1; k <= max; k++) factor[k] = logUniform(0.25f, 1f, rng);
        int[] grown = objects.clone();
        for (int step = 0; step < 3; step++) grown = grow(grown, size);
        float[] field = new float[plane];
        for (int i = 0; i < plane; i++) field[i] = factor[grown[i]];
        field = Microscope.blur(field, size, size, 1);
        for (int c = 0; c < channels; c++) for (int i = 0; i < plane; i++) x[c * plane + i] *= field[i];
    }

    /** Background pixels next to an object (4-neighbours) take its id. */
    private static int[] grow(int[] ids, int size) {
        int[] out = ids.clone();
        for (int y = 0; y < size; y++) {
            for (int xx = 0; xx < size; xx++) {
                int i = y * size + xx;
                if (ids[i] != 0) continue;
                if (xx > 0 && ids[i - 1] != 0) out[i] = ids[i - 1];
                else if (xx < size - 1 && ids[i + 1] != 0) out[i] = ids[i + 1];
                else if (y > 0 && ids[i - size] != 0) out[i] = ids[i - size];
                else if (y < size - 1 && ids[i + size] != 0) out[i] = ids[i + size];
            }
        }
        return out;
    }

    /** A smooth random field (bilinear over a 4 × 4 grid of random levels) of up to 0.8 added to every channel. */
    private static void addHaze(float[] x, int channels, int size, Rng rng) {
        int grid = 4;
        float[] levels = new float[grid * grid];
        float strength = rng.uniform(0.1f, 0.8f);
        for (int i = 0; i < levels.length; i++) levels[i] = strength * rng.uniform();
        float[] field = Resize.bilinear(levels, grid, grid, size, size);
        int plane = size * size;
        for (int c = 0; c < channels; c++) for (int i = 0; i < plane; i++) x[c * plane + i] += field[i];
    }

    private static boolean hasObjects(int[] objects) {
        for (int id : objects) if (id != 0) return true;
        return false;
    }

    /**
     * The 1st and 99.8th percentiles of each channel to 0 and 1, as a hazy image would be normalized when applied
     * (the haze lifts its low percentile). Only for patches with objects in them: an empty patch's percentiles would stretch its noise to the range
     * of a nucleus, which whole-image normalization never does.
     */
    private static void renormalize(float[] x, int channels, int plane) {
        for (int c = 0; c < channels; c++) {
            int o = c * plane;
            float[] channel = Arrays.copyOfRange(x, o, o + plane);
            Percentiles p = Percentiles.of(channel, 1, 99.8);
            float[] normalized = p.apply(channel);
            System.arraycopy(normalized, 0, x, o, plane);
        }
    }

    private static float logUniform(float low, float high, Rng rng) {
        return (float) Math.exp(rng.uniform((float) Math.log(low), (float) Math.log(high)));
    }
}
