package org.cnnj.seg;

import org.cnnj.data.ElasticDeformation;
import org.cnnj.data.PatchSampler;
import org.cnnj.util.Rng;

/**
 * Training patches for instance segmentation with object-size augmentation: each patch is cut at a
 * random zoom (log-uniform in [minZoom, maxZoom]) from an image already rescaled to the model's object
 * size, so the network learns sizes around it; then a random element of the dihedral group (flips,
 * 90° rotations), intensity scale/shift, and optionally elastic deformation. Image and distance target
 * are sampled bilinearly, class labels by nearest neighbour; reads beyond an image's edge mirror it, so
 * images smaller than the patch (large objects shrunk to the model's size) still give whole patches.
 * Shapes: images [image][C][H·W], classes and targets [image][H·W]; a batch is x [N, C, S, S],
 * labels [N·S·S], targets [N·S·S].
 */
public final class ObjectPatchSampler {
    /** A batch ready for the network and the loss. */
    public record Batch(float[] images, int[] labels, float[] targets, int size, int count) {}

    private final float[][][] images;
    private final int[][] classes;
    private final float[][] targets;
    private final int[] widths, heights;
    private final Rng rng;
    private final float intensityJitter, minZoom, maxZoom, elastic;

    public ObjectPatchSampler(
            float[][][] images,
            int[][] classes,
            float[][] targets,
            int[] widths,
            int[] heights,
            float intensityJitter,
            float minZoom,
            float maxZoom,
            float elastic,
            Rng rng) {
        for (int i = 0; i < images.length; i++) {
            int n = widths[i] * heights[i];
            if (classes[i].length != n || targets[i].length != n || images[i].length != images[0].length) {
                throw new IllegalArgumentException("patch sampler: image " + i + " (" + widths[i] + "x" + heights[i]
                        + ") and its labels differ in size or channels");
            }
            for (float[] c : images[i]) {
                if (c.length != n)
                    throw new IllegalArgumentException("patch sampler: image " + i + " has a channel of another size");
            }
        }
        if (!(minZoom > 0 && minZoom <= maxZoom))
            throw new IllegalArgumentException("patch sampler: zoom range must satisfy 0 < min <= max");
        this.images = images;
        this.classes = classes;
        this.targets = targets;
        this.widths = widths;
        this.heights = heights;
        this.intensityJitter = intensityJitter;
        this.minZoom = minZoom;
        this.maxZoom = maxZoom;
        this.elastic = elastic;
        this.rng = rng;
    }

    public int channels() {
        return images[0].length;
    }

    public Batch next(int count, int size) {
        int channels = channels(), plane = size * size;
        float[] x = new float[count * channels * plane], t = new float[count * plane];
        int[] y = new int[count * plane];
        float[] patch =
                new float[(channels + 1) * plane]; // image channels, then the distance target as one more channel
        int[] patchLabels = new int[plane];
        for (int n = 0; n < count; n++) {
            int k = rng.nextInt(images.length), w = widths[k], h = heights[k];
            double zoom = Math.exp(rng.uniform((float) Math.log(minZoom), (float) Math.log(maxZoom)));
            double span = size / zoom; // source pixels the patch covers
            double x0 = rng.uniform() * (w - span),
                    y0 =
                            rng.uniform()
                                    * (h - span); // negative when the image is smaller: centred with mirrored margins
            int transform = rng.nextInt(8);
            float scale = 1 + intensityJitter * rng.uniform(-1, 1), shift = intensityJitter * rng.uniform(-0.5f, 0.5f);
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    int d = PatchSampler.dihedral(transform, i, j, size), si = d / size, sj = d % size;
                    double sy = y0 + (si + 0.5) / zoom - 0.5, sx = x0 + (sj + 0.5) / zoom - 0.5;
                    int o = i * size + j;
                    for (int c = 0; c < channels; c++)
                        patch[c * plane + o] = bilinear(images[k][c], w, h, sx, sy) * scale + shift;
                    patch[channels * plane + o] = bilinear(targets[k], w, h, sx, sy);
                    patchLabels[o] = classes[k][mirror((int) Math.round(sy), h) * w + mirror((int) Math.round(sx), w)];
                }
            }
            if (elastic > 0 && rng.uniform() < 0.5f)
                ElasticDeformation.apply(patch, 0, channels + 1, patchLabels, 0, size, elastic, rng);
            System.arraycopy(patch, 0, x, n * channels * plane, channels * plane);
            System.arraycopy(patch, channels * plane, t, n * plane, plane);
            System.arraycopy(patchLabels, 0, y, n * plane, plane);
        }
        return new Batch(x, y, t, size, count);
    }

    private static float bilinear(float[] src, int w, int h, double x, double y) {
        int xf = (int) Math.floor(x), yf = (int) Math.floor(y);
        float fx = (float) (x - xf), fy = (float) (y - yf);
        int xa = mirror(xf, w), xb = mirror(xf + 1, w), ya = mirror(yf, h) * w, yb = mirror(yf + 1, h) * w;
        float top = src[ya + xa] + fx * (src[ya + xb] - src[ya + xa]);
        float bottom = src[yb + xa] + fx * (src[yb + xb] - src[yb + xa]);
        return top + fy * (bottom - top);
    }

    /** Index i folded into [0, n) by mirroring at the edges (…2 1 0 | 0 1 2 … n−1 | n−1 n−2…), any distance out. */
    static int mirror(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }
}
