package org.cnnj.seg;

import java.util.Arrays;
import java.util.List;
import org.cnnj.data.ElasticDeformation;
import org.cnnj.data.ImagingAugmentation;
import org.cnnj.data.PatchSampler;
import org.cnnj.util.Rng;

/**
 * Training patches for instance segmentation with object-size augmentation: each patch is cut at a
 * random zoom (log-uniform in [minZoom, maxZoom]) from an image already rescaled to the model's object
 * size, so the network learns sizes around it; then a random element of the dihedral group (flips,
 * 90° rotations), intensity scale/shift, optionally what other microscopes do ({@link ImagingAugmentation}) and
 * elastic deformation. Images are drawn in proportion to their weights (e.g. balanced over sources). Image and distance target
 * are sampled bilinearly, class labels by nearest neighbour; reads beyond an image's edge mirror it, so
 * images smaller than the patch (large objects shrunk to the model's size) still give whole patches.
 * Shapes: images [image][C][H·W], classes and targets [image][H·W]; a batch is x [N, C, S, S],
 * labels [N·S·S], targets [N·S·S].
 */
public final class ObjectPatchSampler {
    /** A batch ready for the network and the loss. */
    public record Batch(float[] images, int[] labels, float[] targets, int size, int count) {}

    /**
     * One image to cut patches from: planes [C][H·W] (normalized), its three-class labels, distance target and
     * object ids [H·W], and its share of the patches relative to the other images' ({@code weight} &gt; 0).
     */
    public record Image(
            float[][] planes, int[] classes, float[] target, int[] objects, int width, int height, double weight) {
        public Image {
            int n = width * height;
            if (classes.length != n || target.length != n || objects.length != n) {
                throw new IllegalArgumentException(
                        "patch sampler: an image (" + width + "x" + height + ") and its labels differ in size");
            }
            for (float[] c : planes) {
                if (c.length != n)
                    throw new IllegalArgumentException("patch sampler: an image has a channel of another size");
            }
            if (!(weight > 0)) throw new IllegalArgumentException("patch sampler: an image's weight must be > 0");
        }
    }

    /**
     * How patches are cut: zoom range (log-uniform), intensity scale/shift jitter, elastic deformation of half the
     * patches (pixels, 0 = off) and the imaging augmentation (null = none).
     */
    public record Settings(
            float minZoom, float maxZoom, float intensityJitter, float elastic, ImagingAugmentation imaging) {
        public Settings {
            if (!(minZoom > 0 && minZoom <= maxZoom))
                throw new IllegalArgumentException("patch sampler: zoom range must satisfy 0 < min <= max");
        }
    }

    private final List<Image> images;
    private final Settings settings;
    /** Cumulative weights, or null when every image weighs the same (then images are drawn as before weights). */
    private final double[] cumulative;

    private final Rng rng;

    public ObjectPatchSampler(List<Image> images, Settings settings, Rng rng) {
        if (images.isEmpty()) throw new IllegalArgumentException("patch sampler: no images");
        for (Image i : images) {
            if (i.planes().length != images.get(0).planes().length)
                throw new IllegalArgumentException("patch sampler: images differ in their number of channels");
        }
        this.images = List.copyOf(images);
        this.settings = settings;
        this.rng = rng;
        boolean uniform =
                images.stream().allMatch(i -> i.weight() == images.get(0).weight());
        cumulative = uniform ? null : new double[images.size()];
        if (!uniform) {
            double sum = 0;
            for (int i = 0; i < images.size(); i++)
                cumulative[i] = sum += images.get(i).weight();
        }
    }

    public int channels() {
        return images.get(0).planes().length;
    }

    private int nextImage() {
        if (cumulative == null) return rng.nextInt(images.size());
        double u = rng.uniform() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, u);
        return Math.min(cumulative.length - 1, i >= 0 ? i + 1 : -i - 1);
    }

    public Batch next(int count, int size) {
        int channels = channels(), plane = size * size;
        float[] x = new float[count * channels * plane], t = new float[count * plane];
        int[] y = new int[count * plane];
        float[] patch =
                new float[(channels + 1) * plane]; // image channels, then the distance target as one more channel
        int[] patchLabels = new int[plane], patchObjects = settings.imaging() == null ? null : new int[plane];
        for (int n = 0; n < count; n++) {
            Image im = images.get(nextImage());
            int w = im.width(), h = im.height();
            double zoom =
                    Math.exp(rng.uniform((float) Math.log(settings.minZoom()), (float) Math.log(settings.maxZoom())));
            double span = size / zoom; // source pixels the patch covers
            // negative when the image is smaller: centred with mirrored margins
            double x0 = rng.uniform() * (w - span), y0 = rng.uniform() * (h - span);
            int transform = rng.nextInt(8);
            float jitter = settings.intensityJitter();
            float scale = 1 + jitter * rng.uniform(-1, 1), shift = jitter * rng.uniform(-0.5f, 0.5f);
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    int d = PatchSampler.dihedral(transform, i, j, size), si = d / size, sj = d % size;
                    double sy = y0 + (si + 0.5) / zoom - 0.5, sx = x0 + (sj + 0.5) / zoom - 0.5;
                    int o = i * size + j;
                    for (int c = 0; c < channels; c++)
                        patch[c * plane + o] = bilinear(im.planes()[c], w, h, sx, sy) * scale + shift;
                    patch[channels * plane + o] = bilinear(im.target(), w, h, sx, sy);
                    int nearest = mirror((int) Math.round(sy), h) * w + mirror((int) Math.round(sx), w);
                    patchLabels[o] = im.classes()[nearest];
                    if (patchObjects != null) patchObjects[o] = im.objects()[nearest];
                }
            }
            if (settings.imaging() != null) settings.imaging().apply(patch, channels, size, patchObjects, rng);
            if (settings.elastic() > 0 && rng.uniform() < 0.5f)
                ElasticDeformation.apply(
                        new ElasticDeformation.Patch(patch, 0, channels + 1, patchLabels, 0, size),
                        settings.elastic(),
                        rng);
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
