package org.cnnj.runtime;

import java.util.Arrays;
import org.cnnj.tensor.Tensor;

/**
 * Test-time augmentation of a fully convolutional network: the mean of its outputs for the input and for flipped
 * copies of it, each output flipped back — x [N, C, H, W] → [N, K, H, W], the output the input's size. 2 views: the
 * input and its mirror left–right; 4: also top–bottom and both; 8: also the four transposed (the whole dihedral group,
 * the symmetries of the training augmentation). The mean is taken of what the network outputs (logits, distances), so
 * only models whose channels do not change meaning under a flip qualify: class scores and distance maps do, flow or
 * vector fields (Cellpose) do not.
 */
public final class FlipAveraging implements Engine {
    private final Engine inner;
    private final int views;

    /** {@code views}: 1 (the input only), 2, 4 or 8. */
    public FlipAveraging(Engine inner, int views) {
        if (views != 1 && views != 2 && views != 4 && views != 8)
            throw new IllegalArgumentException("test-time flips: 1, 2, 4 or 8 views, got " + views);
        this.inner = inner;
        this.views = views;
    }

    /** {@code inner} itself for one view, else the averaging engine over it. */
    public static Engine of(Engine inner, int views) {
        return views == 1 ? inner : new FlipAveraging(inner, views);
    }

    public int views() {
        return views;
    }

    @Override
    public Tensor run(Tensor x) {
        int[] s = x.shape();
        if (s.length != 4) throw new IllegalArgumentException("test-time flips need [N, C, H, W] input");
        Tensor first = inner.run(x);
        int[] o = first.shape();
        if (o.length != 4 || o[2] != s[2] || o[3] != s[3])
            throw new IllegalStateException("test-time flips need an output of the input's height and width; the"
                    + " network gave " + Arrays.toString(o) + " for " + Arrays.toString(s));
        float[] sum = first.data().clone();
        for (int v = 1; v < views; v++) {
            boolean flipX = (v & 1) != 0, flipY = (v & 2) != 0, transpose = (v & 4) != 0;
            int h = transpose ? s[3] : s[2], w = transpose ? s[2] : s[3];
            float[] viewed = new float[x.data().length];
            map(x.data(), s[0] * s[1], s[2], s[3], flipX, flipY, transpose, viewed, false);
            Tensor y = inner.run(Tensor.of(viewed, s[0], s[1], h, w));
            map(y.data(), o[0] * o[1], o[2], o[3], flipX, flipY, transpose, sum, true);
        }
        float scale = 1f / views;
        for (int i = 0; i < sum.length; i++) sum[i] *= scale;
        return Tensor.of(sum, o);
    }

    /**
     * Between an image's planes [planes, h, w] and a view's: view(i, j) = image(flipped position) with the view
     * transposed where told. {@code back}: src is the view (its planes w × h when transposed), added into the image
     * grid at dst; else src is the image, written as the view into dst.
     */
    private static void map(
            float[] src,
            int planes,
            int h,
            int w,
            boolean flipX,
            boolean flipY,
            boolean transpose,
            float[] dst,
            boolean back) {
        int area = h * w;
        for (int p = 0; p < planes; p++) {
            int base = p * area;
            for (int y = 0; y < h; y++) {
                int fy = flipY ? h - 1 - y : y;
                for (int x = 0; x < w; x++) {
                    int fx = flipX ? w - 1 - x : x;
                    int image = base + y * w + x, view = base + (transpose ? fx * h + fy : fy * w + fx);
                    if (back) dst[image] += src[view];
                    else dst[view] = src[image];
                }
            }
        }
    }

    @Override
    public String describe() {
        return inner.describe() + (views > 1 ? ", mean of " + views + " flipped views" : "");
    }

    @Override
    public void close() {
        inner.close();
    }
}
