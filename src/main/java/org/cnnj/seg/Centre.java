package org.cnnj.seg;

import java.util.function.Consumer;
import org.cnnj.data.Percentiles;

/**
 * The centred window of an image that the diameter estimate looks at ({@link DiameterEstimate} never looks further),
 * cut before the whole image is normalized, so a huge image's estimate costs no copy of it.
 */
final class Centre {
    /** Largest side of the window. */
    static final int SIDE = 4096;

    private Centre() {}

    /**
     * The window's side for an image side: all of it up to {@link #SIDE}, else SIDE or SIDE + 1, whichever leaves an
     * even margin, so the estimate's own centred windows fall on the same pixels as in the whole plane.
     */
    static int side(int side) {
        return side <= SIDE ? side : SIDE + ((side - SIDE) & 1);
    }

    /**
     * The window of the planes, normalized with the whole plane's percentiles (what the estimate sees on the
     * whole-image path); {@code problems} hears what would make the normalization misleading.
     */
    static float[][] normalized(SegmentationSpec spec, float[][] planes, int w, int h, Consumer<String> problems) {
        int cw = side(w), ch = side(h), x0 = (w - cw) / 2, y0 = (h - ch) / 2;
        float[][] out = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            float[] crop = new float[cw * ch];
            for (int y = 0; y < ch; y++) System.arraycopy(planes[c], (y0 + y) * w + x0, crop, y * cw, cw);
            Percentiles p = Segmenter.percentiles(spec, planes[c]);
            if (p != null) p.problems(planes[c]).forEach(problems);
            out[c] = p == null ? spec.normalization().apply(crop) : p.apply(crop);
        }
        return out;
    }
}
