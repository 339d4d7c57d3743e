package org.cnnj.seg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnj.data.Resize;
import org.cnnj.model.ModelSpec;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.TiledPredictor;

/**
 * Estimates the object diameter of an image with the model itself (as Cellpose does with its first
 * pass): the centre of the image is segmented at a ladder of scales a factor √2 apart, and the median
 * diameter of the whole objects found at each scale is measured. A model trained for diameter D
 * (with ×0.7–1.4 size augmentation) measures objects correctly only while they appear at about that
 * size; shown larger ones it cuts them into D-sized fragments. So the answer is read at the smallest
 * scale at which the objects already appear at ≥ 0.75·D, where they are whole: diameter = measured / scale.
 * Each scale looks at a window of at most {@link #WINDOW}² network pixels, so the estimate costs about
 * as much as segmenting a few 256² tiles whatever the image size.
 */
public final class DiameterEstimate {
    /** Side of the window each scale looks at, in network pixels. */
    static final int WINDOW = 256;
    /** Objects per window needed to trust a median. */
    private static final int MIN_OBJECTS = 3;

    /** The estimate (NaN when no scale found objects), the scale it came from, objects measured there, and what each scale saw. */
    public record Result(double diameter, double scale, int objects, List<String> ladder) {
        public boolean found() {
            return Double.isFinite(diameter);
        }
    }

    private DiameterEstimate() {}

    /** {@code normalized}: planes [C][H·W] already normalized as the sidecar says. */
    public static Result estimate(Engine engine, ModelSpec spec, float[][] normalized, int width, int height) {
        double target = spec.objectDiameter();
        if (!(target > 0))
            throw new IllegalArgumentException(
                    "the model does not record the object size it was trained for; give a diameter or none");
        List<String> ladder = new ArrayList<>();
        // Scales from 1/16 (objects 16x the model's size) up to 4 (a quarter), in steps of sqrt(2).
        for (int step = -8; step <= 4; step++) {
            double scale = Math.pow(2, step / 2.0);
            Measured m = measure(engine, spec, normalized, width, height, scale);
            if (m == null) continue;
            ladder.add(String.format(Locale.ROOT, "x%.3g: %d objects, %.1f px", scale, m.objects, m.diameter));
            if (m.objects >= MIN_OBJECTS && m.diameter >= 0.75 * target) {
                return new Result(m.diameter / scale, scale, m.objects, ladder);
            }
        }
        return new Result(Double.NaN, 1, 0, ladder);
    }

    private record Measured(double diameter, int objects) {}

    /** Median diameter (network pixels) of the objects inside a centred window at {@code scale}; null when the image is too small. */
    private static Measured measure(
            Engine engine, ModelSpec spec, float[][] planes, int width, int height, double scale) {
        int cw = Math.min(width, (int) Math.ceil(WINDOW / scale)),
                ch = Math.min(height, (int) Math.ceil(WINDOW / scale));
        int sw = Resize.scaled(cw, scale), sh = Resize.scaled(ch, scale);
        if (sw < spec.tileMultiple() * 2 || sh < spec.tileMultiple() * 2) return null;
        int x0 = (width - cw) / 2, y0 = (height - ch) / 2;
        float[][] window = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            float[] crop = new float[cw * ch];
            for (int y = 0; y < ch; y++) System.arraycopy(planes[c], (y0 + y) * width + x0, crop, y * cw, cw);
            window[c] = Resize.bilinear(crop, cw, ch, sw, sh);
        }
        int tile = Math.max(
                spec.tileMultiple(),
                (Math.max(sw, sh) + spec.tileMultiple() - 1) / spec.tileMultiple() * spec.tileMultiple());
        Segmenter.Result r = Segmenter.segment(
                engine,
                spec,
                TiledPredictor.planes(window, sw, sh),
                new Segmenter.Options(new TiledPredictor.Layout(tile, spec.halo(), spec.tileMultiple()), false, 1),
                null);
        int[] whole = withoutBorderObjects(r.objects(), sw, sh, cw < width || ch < height);
        int count = Instances.count(whole);
        return new Measured(count == 0 ? 0 : ObjectSize.medianDiameter(whole), count);
    }

    /** Objects cut by the window's edge are smaller than they are: leave them out (when the window is a crop). */
    private static int[] withoutBorderObjects(int[] labels, int w, int h, boolean cropped) {
        if (!cropped) return labels;
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        boolean[] cut = new boolean[max + 1];
        for (int x = 0; x < w; x++) {
            cut[labels[x]] = true;
            cut[labels[(h - 1) * w + x]] = true;
        }
        for (int y = 0; y < h; y++) {
            cut[labels[y * w]] = true;
            cut[labels[y * w + w - 1]] = true;
        }
        int[] out = labels.clone();
        for (int i = 0; i < out.length; i++) if (cut[out[i]]) out[i] = 0;
        return out;
    }
}
