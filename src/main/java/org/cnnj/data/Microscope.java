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
        float[] out = img.clone();
        int[] dims = {1, h, w};
        blurAxis(out, dims, 2, sigma);
        blurAxis(out, dims, 1, sigma);
        return out;
    }

    /**
     * The same for a volume [D·H·W] with a sigma per axis (z, y, x) in voxels, e.g. a PSF longer in z than in xy; an axis
     * whose sigma is under 0.3 voxel, or that is one voxel long, is left as it is.
     */
    public static float[] blur(float[] volume, int[] dims, double[] sigma) {
        float[] out = volume.clone();
        for (int axis = 2; axis >= 0; axis--)
            if (sigma[axis] >= 0.3 && dims[axis] >= 2) blurAxis(out, dims, axis, sigma[axis]);
        return out;
    }

    /** Convolves every line of {@code v} [dims] along {@code axis} with a normalized Gaussian, in place. */
    private static void blurAxis(float[] v, int[] dims, int axis, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        float[] kernel = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++)
            sum += kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.length; i++) kernel[i] /= sum;
        int length = dims[axis], stride = 1, outer = 1;
        for (int a = axis + 1; a < 3; a++) stride *= dims[a];
        for (int a = 0; a < axis; a++) outer *= dims[a];
        float[] line = new float[length];
        for (int o = 0; o < outer; o++)
            for (int inner = 0; inner < stride; inner++) {
                int start = o * length * stride + inner;
                for (int i = 0; i < length; i++) line[i] = v[start + i * stride];
                for (int i = 0; i < length; i++) {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++)
                        acc += kernel[k + radius] * line[Math.min(length - 1, Math.max(0, i + k))];
                    v[start + i * stride] = acc;
                }
            }
    }
}
