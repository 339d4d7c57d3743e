package org.cnnj.data;

import org.cnnj.util.Rng;

/** What a fluorescence microscope does to synthetic images (blur, shot noise), shared by the synthetic nuclei and the detection scenes. */
public final class Microscope {
    private Microscope() {}

    /** A Poisson sample of this mean (normal approximation above 30): shot noise of a photon count. */
    public static double poisson(double mean, Rng rng) {
        if (mean > 30) return Math.max(0, mean + Math.sqrt(mean) * rng.normal());
        double limit = Math.exp(-mean), product = rng.uniform();
        int k = 0;
        while (product > limit) {
            k++;
            product *= rng.uniform();
        }
        return k;
    }

    /** Separable Gaussian blur with clamped edges: the optics' point-spread function. Shape: img [H·W]. */
    public static float[] blur(float[] img, int w, int h, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        float[] kernel = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++)
            sum += kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.length; i++) kernel[i] /= sum;
        float[] tmp = new float[img.length], out = new float[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = 0;
                for (int k = -radius; k <= radius; k++)
                    v += kernel[k + radius] * img[y * w + Math.min(w - 1, Math.max(0, x + k))];
                tmp[y * w + x] = v;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = 0;
                for (int k = -radius; k <= radius; k++)
                    v += kernel[k + radius] * tmp[Math.min(h - 1, Math.max(0, y + k)) * w + x];
                out[y * w + x] = v;
            }
        }
        return out;
    }
}
