package org.cnnj.det;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.data.Resize;
import org.cnnj.util.Rng;

/**
 * Random square training patches with their boxes, augmented consistently ({@link BoxAugmentation}): a random crop,
 * optionally resized (bilinear; boxes scaled alike), one of the eight flips/90° rotations applied to pixels and boxes
 * alike, and intensity (and optionally per-channel colour) gains and offsets. A box cut by the crop is kept (clipped)
 * when at least half of it is inside, else dropped. Images must already be normalized.
 */
public final class BoxSampler {
    /**
     * images [count, C, size, size]; per patch its boxes and classes, and its instance label map (size², object i as
     * i + 1) where the image has masks (else null).
     */
    public record Batch(float[] images, int size, float[][] boxes, int[][] classes, int[][] masks) {}

    /** Where a patch comes from: its window's corner in the image and how much it is enlarged (1: pixel for pixel). */
    private record Window(float x0, float y0, float zoom) {
        /** Where the patch's columns sample the image (pixel centres), resized bilinearly on the image's grid. */
        Resize.Axis columns(int width, int size) {
            return Resize.Axis.sampled(width, x0 + 0.5 / zoom - 0.5, 1.0 / zoom, size);
        }

        Resize.Axis rows(int height, int size) {
            return Resize.Axis.sampled(height, y0 + 0.5 / zoom - 0.5, 1.0 / zoom, size);
        }
    }

    private final List<AnnotatedImage> data;
    private final BoxAugmentation augmentation;
    private final Rng rng;

    public BoxSampler(List<AnnotatedImage> normalized, BoxAugmentation augmentation, Rng rng) {
        this.data = normalized;
        this.augmentation = augmentation;
        this.rng = rng;
    }

    public int channels() {
        return data.get(0).channels().length;
    }

    public Batch next(int count, int size) {
        int c = channels(), plane = size * size;
        float[] images = new float[count * c * plane];
        float[][] boxes = new float[count][];
        int[][] classes = new int[count][], masks = new int[count][];
        for (int s = 0; s < count; s++) {
            AnnotatedImage d = data.get(rng.nextInt(data.size()));
            Window w = window(d, size);
            Resize.Axis xs = w.columns(d.width(), size), ys = w.rows(d.height(), size);
            int transform = rng.nextInt(8);
            float jitter = augmentation.intensity();
            float scale = 1 + jitter * rng.uniform(-1, 1), shift = jitter * rng.uniform(-1, 1);
            for (int ch = 0; ch < c; ch++) {
                float gain = scale, offset = shift;
                if (augmentation.colour() > 0) {
                    gain *= 1 + augmentation.colour() * rng.uniform(-1, 1);
                    offset += augmentation.colour() * rng.uniform(-1, 1);
                }
                float[] patch = Resize.bilinear(d.channels()[ch], d.width(), xs, ys); // at zoom 1 exact copies
                int base = (s * c + ch) * plane;
                float[] p = new float[2];
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        map(x + 0.5f, y + 0.5f, size, transform, p, 0);
                        images[base + (int) p[1] * size + (int) p[0]] = patch[y * size + x] * gain + offset;
                    }
                }
            }
            List<float[]> kept = new ArrayList<>();
            List<Integer> keptClasses = new ArrayList<>();
            int[] newId = new int[d.objects() + 1]; // old id (i + 1) → id in the patch, 0 when dropped
            for (int i = 0; i < d.objects(); i++) {
                float[] b = cropped(d.boxes(), i, w, size);
                if (b == null) continue;
                newId[i + 1] = kept.size() + 1;
                float[] corners = new float[4];
                map(b[0], b[1], size, transform, corners, 0);
                map(b[2], b[3], size, transform, corners, 2);
                kept.add(new float[] {
                    Math.min(corners[0], corners[2]),
                    Math.min(corners[1], corners[3]),
                    Math.max(corners[0], corners[2]),
                    Math.max(corners[1], corners[3])
                });
                keptClasses.add(d.classes()[i]);
            }
            boxes[s] = new float[4 * kept.size()];
            classes[s] = new int[kept.size()];
            for (int i = 0; i < kept.size(); i++) {
                System.arraycopy(kept.get(i), 0, boxes[s], 4 * i, 4);
                classes[s][i] = keptClasses.get(i);
            }
            if (d.masks() != null)
                masks[s] = maskPatch(Resize.nearest(d.masks(), d.width(), xs, ys), newId, size, transform);
        }
        return new Batch(images, size, boxes, classes, masks);
    }

    /**
     * The image window a patch comes from: pixel for pixel at a whole-pixel corner without scale augmentation, else
     * enlarged by a factor drawn log-uniformly in [1/scale, scale] (shrunk no further than the image allows).
     */
    private Window window(AnnotatedImage d, int size) {
        if (augmentation.scale() == 1)
            return new Window(rng.nextInt(d.width() - size + 1), rng.nextInt(d.height() - size + 1), 1);
        float most = (float) Math.log(augmentation.scale());
        float least = Math.max(-most, (float) Math.log(size / (double) Math.min(d.width(), d.height())));
        float zoom = (float) Math.exp(rng.uniform(least, most));
        float side = size / zoom;
        return new Window(rng.uniform(0, d.width() - side), rng.uniform(0, d.height() - side), zoom);
    }

    /** The window's label map (nearest pixels), flipped/turned like its pixels, objects renumbered as kept (dropped: 0). */
    private static int[] maskPatch(int[] window, int[] newId, int size, int transform) {
        int[] out = new int[size * size];
        float[] p = new float[2];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int id = window[y * size + x];
                if (id <= 0 || id >= newId.length) continue;
                map(x + 0.5f, y + 0.5f, size, transform, p, 0);
                out[(int) p[1] * size + (int) p[0]] = newId[id];
            }
        }
        return out;
    }

    /** Box i in the window's patch coordinates, clipped, or null when less than half of it (or a sliver) is inside. */
    private static float[] cropped(float[] boxes, int i, Window w, int size) {
        float z = w.zoom();
        float bx1 = (boxes[4 * i] - w.x0()) * z,
                by1 = (boxes[4 * i + 1] - w.y0()) * z,
                bx2 = (boxes[4 * i + 2] - w.x0()) * z,
                by2 = (boxes[4 * i + 3] - w.y0()) * z;
        float cx1 = Math.max(0, bx1), cy1 = Math.max(0, by1), cx2 = Math.min(size, bx2), cy2 = Math.min(size, by2);
        if (cx2 - cx1 < 2 || cy2 - cy1 < 2) return null;
        if ((cx2 - cx1) * (cy2 - cy1) < 0.5f * (bx2 - bx1) * (by2 - by1)) return null;
        return new float[] {cx1, cy1, cx2, cy2};
    }

    /**
     * Maps a continuous point of a size×size square through transform t (bit 0: flip x, bit 1: flip y,
     * bit 2: transpose), which together give all eight flips and 90° rotations.
     */
    static void map(float u, float v, int size, int t, float[] out, int o) {
        if ((t & 1) != 0) u = size - u;
        if ((t & 2) != 0) v = size - v;
        if ((t & 4) != 0) {
            float w = u;
            u = v;
            v = w;
        }
        out[o] = u;
        out[o + 1] = v;
    }
}
