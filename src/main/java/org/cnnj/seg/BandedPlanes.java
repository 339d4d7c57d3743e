package org.cnnj.seg;

import java.util.Arrays;
import org.cnnj.data.Percentiles;
import org.cnnj.data.Resize;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.TiledPredictor;

/**
 * Segments planes that are in memory, band by band ({@link BandSegmenter}), for images whose whole-image
 * working memory (normalized and resized copies, class, foreground and distance maps) does not fit the
 * heap: each tile is normalized and resized as it is read, and the labels come back at the planes' own
 * size, as {@link Segmenter#segmentNormalized} gives them. Objects are decoded per band as on the whole
 * image and joined where bands meet, so they match the whole-image result nearly everywhere.
 * Shapes: planes [C][H·W] row-major.
 */
public final class BandedPlanes {
    /** Object ids (instance models) or classes (semantic models) at the planes' size, and the object count (0 for semantic models). */
    public record Labels(int[] labels, int count) {}

    private BandedPlanes() {}

    /** {@code o.scale()} resizes the network's view of the image; {@code bandRows} rows are decoded at a time (rounded to whole tiles). */
    static Labels segment(
            Engine engine,
            SegmentationSpec spec,
            float[][] planes,
            int width,
            int height,
            Segmenter.Options o,
            int bandRows,
            TiledPredictor.Progress progress) {
        int sw = Resize.scaled(width, o.scale()), sh = Resize.scaled(height, o.scale());
        int[] labels = new int[width * height];
        int[] fromX = nearest(width, sw), fromY = nearest(height, sh);
        boolean instances = spec.isInstances();
        int count = BandSegmenter.segment(
                Segmenter.of(engine, spec),
                new Source(spec, planes, width, height, sw, sh),
                o.withMinObjectPixels(Segmenter.smallestObject(spec, o, o.scale())), // decoded on the network's grid
                new BandSegmenter.Bands(bandRows, progress),
                new BandSegmenter.Sink() {
                    public void rows(int y0, int rows, byte[] classes, int[] objects) {
                        // Every pixel of the planes whose nearest network pixel lies in these rows (labels stay whole
                        // ids).
                        for (int y = 0; y < height; y++) {
                            int sy = fromY[y] - y0;
                            if (sy < 0 || sy >= rows) continue;
                            for (int x = 0; x < width; x++) {
                                int i = sy * sw + fromX[x];
                                labels[y * width + x] = objects != null ? objects[i] : classes[i];
                            }
                        }
                    }

                    public void relabel(int[] map) {
                        if (!instances) return;
                        for (int i = 0; i < labels.length; i++) labels[i] = map[labels[i]];
                    }
                });
        return new Labels(labels, count);
    }

    /** For each pixel of a side of {@code length}, the network pixel (of {@code scaled}) whose area holds its centre. */
    private static int[] nearest(int length, int scaled) {
        int[] from = new int[length];
        double s = (double) scaled / length;
        for (int i = 0; i < length; i++) from[i] = Math.min(scaled - 1, (int) Math.floor((i + 0.5) * s));
        return from;
    }

    /** The planes as the network sees them: normalized as the sidecar says and resized bilinearly (pixel centres aligned), read tile by tile. */
    private static final class Source implements TiledPredictor.Source {
        private final float[][] planes;
        private final int width, height, sw, sh;
        private final Percentiles[] normalization;

        Source(SegmentationSpec spec, float[][] planes, int width, int height, int sw, int sh) {
            this.planes = planes;
            this.width = width;
            this.height = height;
            this.sw = sw;
            this.sh = sh;
            normalization = new Percentiles[planes.length];
            for (int c = 0; c < planes.length; c++) {
                Percentiles p = Segmenter.percentiles(spec, planes[c]);
                normalization[c] = p == null ? Percentiles.IDENTITY : p;
            }
        }

        public int channels() {
            return planes.length;
        }

        public int height() {
            return sh;
        }

        public int width() {
            return sw;
        }

        public void read(int y0, int x0, int h, int w, float[] dst) {
            Arrays.fill(dst, 0f);
            double fx = (double) width / sw, fy = (double) height / sh;
            for (int c = 0; c < planes.length; c++) {
                for (int y = 0; y < h && y0 + y < sh; y++) {
                    double v = Math.min(Math.max((y0 + y + 0.5) * fy - 0.5, 0), height - 1);
                    int r0 = (int) v, r1 = Math.min(r0 + 1, height - 1);
                    float ty = (float) (v - r0);
                    for (int x = 0; x < w && x0 + x < sw; x++) {
                        double u = Math.min(Math.max((x0 + x + 0.5) * fx - 0.5, 0), width - 1);
                        int c0 = (int) u, c1 = Math.min(c0 + 1, width - 1);
                        float tx = (float) (u - c0);
                        float top = value(c, r0, c0) + tx * (value(c, r0, c1) - value(c, r0, c0));
                        float bottom = value(c, r1, c0) + tx * (value(c, r1, c1) - value(c, r1, c0));
                        dst[(c * h + y) * w + x] = top + ty * (bottom - top);
                    }
                }
            }
        }

        /** A normalized pixel (non-finite ones are 0). */
        private float value(int c, int y, int x) {
            return normalization[c].apply(planes[c][y * width + x]);
        }
    }
}
