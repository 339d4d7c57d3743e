package org.cnnj.infer;

import org.cnnj.data.Percentiles;
import org.cnnj.eval.Instances;

/**
 * The library call behind Segment: normalizes an image as the sidecar says, predicts it tile by
 * tile, and returns per-pixel classes, optional class probabilities and, for instance models,
 * separated objects. Shapes: planes [C][H·W] raw pixel values.
 */
public final class Segmenter {
    /** Tiling and what to keep. */
    public record Options(TiledPredictor.Layout layout, boolean probabilities, int minObjectPixels) {}

    /**
     * classes [H·W] (argmax), probabilities [K][H·W] or null, objects [H·W] instance labels (instance
     * models) or null, and the object count.
     */
    public record Result(int width, int height, byte[] classes, float[][] probabilities, int[] objects, int objectCount) {}

    private Segmenter() {}

    public static Result segment(Engine engine, ModelSpec spec, float[][] planes, int width, int height, Options o,
                                 TiledPredictor.Progress progress) {
        for (float[] p : planes) {
            if (p.length != width * height) throw new IllegalArgumentException("every channel must hold width × height pixels");
        }
        float[][] normalized = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            Percentiles p = percentiles(spec, planes[c]);
            normalized[c] = p == null ? planes[c] : p.apply(planes[c]);
        }
        return segment(engine, spec, TiledPredictor.planes(normalized, width, height), o, progress);
    }

    /** The percentiles the sidecar asks for, from (a sample of) {@code values}; null for no normalization. */
    public static Percentiles percentiles(ModelSpec spec, float[] values) {
        ModelSpec.Normalization n = spec.normalization();
        return "percentile".equals(n.method()) ? Percentiles.of(values, n.lowPercentile(), n.highPercentile()) : null;
    }

    /** Segments an already normalized source, tile by tile (the image is never copied whole). */
    public static Result segment(Engine engine, ModelSpec spec, TiledPredictor.Source source, Options o, TiledPredictor.Progress progress) {
        if (source.channels() != spec.inputChannels()) {
            throw new IllegalArgumentException("the model expects " + spec.inputChannels() + " channel(s) but the image has "
                    + source.channels() + "; convert it (Image › Color › Split/Merge Channels) to match");
        }
        int width = source.width(), height = source.height(), k = spec.classes().size();
        if ((long) width * height > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("images over 2^31 pixels do not fit one array: use ImgLib2Segmenter.segmentLarge (cell images) or BandSegmenter");
        }
        if (k > 127) throw new IllegalArgumentException("models with more than 127 classes are not supported");
        byte[] classes = new byte[width * height];
        float[][] probabilities = o.probabilities() ? new float[k][width * height] : null;
        boolean logits = "logits".equals(spec.output());
        TiledPredictor.predict(engine, source, o.layout(), tile -> {
            if (tile.classes() != k) {
                throw new IllegalStateException("the model produced " + tile.classes() + " output channels but its sidecar names "
                        + k + " classes; fix the sidecar's classes list");
            }
            float[] v = new float[k];
            for (int y = tile.y0(); y < tile.y0() + tile.height(); y++) {
                for (int x = tile.x0(); x < tile.x0() + tile.width(); x++) {
                    int p = y * width + x;
                    classes[p] = (byte) tile.argmax(y, x);
                    if (probabilities == null) continue;
                    for (int c = 0; c < k; c++) v[c] = tile.at(c, y, x);
                    store(v, logits, probabilities, p);
                }
            }
        }, progress);
        int[] objects = null;
        int count = 0;
        if (ModelSpec.INSTANCES_3CLASS.equals(spec.task())) {
            objects = Instances.fromThreeClass(classes, width, height, o.minObjectPixels());
            count = Instances.count(objects);
        }
        return new Result(width, height, classes, probabilities, objects, count);
    }

    /** Softmax of logits (or the values as they are) into the probability planes at pixel p. */
    private static void store(float[] v, boolean logits, float[][] out, int p) {
        if (!logits) {
            for (int c = 0; c < v.length; c++) out[c][p] = v[c];
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float f : v) max = Math.max(max, f);
        double sum = 0;
        for (float f : v) sum += Math.exp(f - max);
        for (int c = 0; c < v.length; c++) out[c][p] = (float) (Math.exp(v[c] - max) / sum);
    }
}
