package org.cnnj.data;

import java.util.List;
import org.cnnj.util.Rng;

/**
 * Random training patches from (image, label) pairs with geometric augmentation that moves labels
 * with pixels (horizontal/vertical flips, 90° rotations — the dihedral group, which microscopy images
 * are invariant to), optionally elastic deformation ({@link ElasticDeformation}), and intensity
 * augmentation (scale and shift) on the image only.
 * Shapes: images [image][channel][H·W]; a batch is x [N, C, S, S] and labels [N·S·S].
 */
public final class PatchSampler {
    /** A batch ready for the network. */
    public record Batch(float[] images, int[] labels, int size, int count) {}

    private final float[][][] images;
    private final int[][] labels;
    private final int[] widths, heights;
    private final Rng rng;
    private final float intensityJitter;
    private float elastic;

    /** One image to cut patches from: planes [C][H·W] and labels [H·W]. */
    public record Image(float[][] planes, int[] labels, int width, int height) {
        public Image {
            for (float[] p : planes) {
                if (p.length != width * height || labels.length != p.length) {
                    throw new IllegalArgumentException("patch sampler: an image (" + width + "x" + height
                            + ") and its labels differ in size; each label image must match its image pixel for pixel");
                }
            }
        }
    }

    /** Patches of {@code images} (all with the same channels), brightness jittered by ± {@code intensityJitter}. */
    public PatchSampler(List<Image> images, float intensityJitter, Rng rng) {
        int n = images.size();
        this.images = new float[n][][];
        this.labels = new int[n][];
        this.widths = new int[n];
        this.heights = new int[n];
        for (int i = 0; i < n; i++) {
            Image im = images.get(i);
            if (im.planes().length != images.get(0).planes().length)
                throw new IllegalArgumentException("patch sampler: images differ in their number of channels");
            this.images[i] = im.planes();
            this.labels[i] = im.labels();
            this.widths[i] = im.width();
            this.heights[i] = im.height();
        }
        this.rng = rng;
        this.intensityJitter = intensityJitter;
    }

    /** Also deform half of the patches elastically, by about {@code pixels} (0 = off). */
    public PatchSampler elastic(float pixels) {
        if (!(pixels >= 0 && pixels < 50))
            throw new IllegalArgumentException("elastic deformation must be 0..50 pixels, got " + pixels);
        this.elastic = pixels;
        return this;
    }

    public int channels() {
        return images[0].length;
    }

    /**
     * Where output pixel (i, j) of a size×size patch reads from under one of the 8 elements of the
     * dihedral group (bit 0 transposes, bits 1 and 2 flip rows and columns): si·size + sj.
     */
    public static int dihedral(int transform, int i, int j, int size) {
        int si = (transform & 1) != 0 ? j : i, sj = (transform & 1) != 0 ? i : j;
        if ((transform & 2) != 0) si = size - 1 - si;
        if ((transform & 4) != 0) sj = size - 1 - sj;
        return si * size + sj;
    }

    public Batch next(int count, int size) {
        int channels = channels();
        float[] x = new float[count * channels * size * size];
        int[] y = new int[count * size * size];
        for (int n = 0; n < count; n++) {
            int k = rng.nextInt(images.length), w = widths[k], h = heights[k];
            if (w < size || h < size) {
                throw new IllegalArgumentException(
                        "patch sampler: image " + k + " is " + w + "x" + h + ", smaller than the " + size + "x" + size
                                + " patch; use a smaller patch size or larger images");
            }
            int x0 = rng.nextInt(w - size + 1), y0 = rng.nextInt(h - size + 1);
            int transform = rng.nextInt(8);
            float scale = 1 + intensityJitter * rng.uniform(-1, 1), shift = intensityJitter * rng.uniform(-0.5f, 0.5f);
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    int d = dihedral(transform, i, j, size), si = d / size, sj = d % size;
                    int src = (y0 + si) * w + x0 + sj, dst = (n * size + i) * size + j;
                    for (int c = 0; c < channels; c++)
                        x[((n * channels + c) * size + i) * size + j] = images[k][c][src] * scale + shift;
                    y[dst] = labels[k][src];
                }
            }
            if (elastic > 0 && rng.uniform() < 0.5f) {
                ElasticDeformation.apply(
                        new ElasticDeformation.Patch(x, n * channels * size * size, channels, y, n * size * size, size),
                        elastic,
                        rng);
            }
        }
        return new Batch(x, y, size, count);
    }
}
