package org.cnnj.seg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.data.Resize;
import org.cnnj.data.ScaleLadder;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.TiledPredictor;

/**
 * Estimates the object diameter of an image with the segmentation model itself, on {@link ScaleLadder}'s rule: the
 * centre of the image is segmented at each scale of the ladder and the median diameter of the whole objects found is
 * measured. Each scale looks at a window of at most {@link #WINDOW}² network pixels, so the estimate costs about
 * as much as segmenting a few 256² tiles whatever the image size. Where the centre window holds too few
 * whole objects to trust (sparse images: a few nuclei away from the centre), more windows of the image are
 * looked at, those with the most contrast first, up to {@link #MAX_WINDOWS}, and their objects pooled.
 */
public final class DiameterEstimate {
    /** Side of the window each scale looks at, in network pixels. */
    static final int WINDOW = 256;
    /** Objects needed to trust a median. */
    private static final int MIN_OBJECTS = 3;
    /** Windows looked at per scale at most (the centre one and those with the most contrast). */
    static final int MAX_WINDOWS = 6;

    private DiameterEstimate() {}

    /** {@code normalized}: planes [C][H·W] already normalized as the sidecar says. */
    public static ScaleLadder.Result estimate(
            Engine engine, SegmentationSpec spec, float[][] normalized, int width, int height) {
        double target = spec.objectDiameter();
        if (!(target > 0))
            throw new IllegalArgumentException(
                    "the model does not record the object size it was trained for; give a diameter or none");
        return ScaleLadder.estimate(target, scale -> measure(engine, spec, normalized, width, height, scale));
    }

    /**
     * Median diameter (network pixels) of the whole objects in windows of the image at {@code scale}: the centre
     * window, then others by contrast until {@link #MIN_OBJECTS} objects are found; null when the image is too small.
     */
    private static ScaleLadder.Measured measure(
            Engine engine, SegmentationSpec spec, float[][] planes, int width, int height, double scale) {
        int cw = Math.min(width, (int) Math.ceil(WINDOW / scale)),
                ch = Math.min(height, (int) Math.ceil(WINDOW / scale));
        int sw = Resize.scaled(cw, scale), sh = Resize.scaled(ch, scale);
        if (sw < spec.tileMultiple() * 2 || sh < spec.tileMultiple() * 2) return null;
        List<int[]> areas = new ArrayList<>();
        int objects = 0;
        // The grid (and its contrast pass over the image) is only made when the centre window is not enough.
        List<int[]> windows = List.of(centre(width, height, cw, ch));
        for (int k = 0; k < windows.size(); k++) {
            int[] origin = windows.get(k);
            ScaleLadder.Window w = new ScaleLadder.Window(origin[0], origin[1], cw, ch);
            int[] whole = segmentWindow(
                    engine, spec, ScaleLadder.resized(planes, width, w, scale), sw, sh, w.crops(width, height));
            int[] a = ObjectSize.areas(whole);
            areas.add(a);
            objects += a.length;
            if (objects >= MIN_OBJECTS || areas.size() >= MAX_WINDOWS) break;
            if (k == 0) windows = windows(planes, width, height, cw, ch);
        }
        int[] pooled = areas.stream().flatMapToInt(Arrays::stream).toArray();
        return new ScaleLadder.Measured(objects == 0 ? 0 : ObjectSize.diameterOfMedian(pooled), objects);
    }

    /**
     * Top-left corners of the windows to look at: the centred one first, then the windows of a grid over the image
     * (the last row and column flush with its edges) by decreasing standard deviation of their values, where
     * objects are more likely than in flat background.
     */
    static List<int[]> windows(float[][] planes, int width, int height, int cw, int ch) {
        List<int[]> out = new ArrayList<>();
        out.add(centre(width, height, cw, ch));
        if (cw == width && ch == height) return out;
        List<double[]> grid = new ArrayList<>(); // x, y, contrast
        for (int y = 0; y < height; y += ch) {
            for (int x = 0; x < width; x += cw) {
                int x0 = Math.min(x, width - cw), y0 = Math.min(y, height - ch);
                grid.add(new double[] {x0, y0, contrast(planes, width, x0, y0, cw, ch)});
            }
        }
        grid.sort((a, b) -> Double.compare(b[2], a[2]));
        for (double[] g : grid) out.add(new int[] {(int) g[0], (int) g[1]});
        return out;
    }

    private static int[] centre(int width, int height, int cw, int ch) {
        ScaleLadder.Window c = ScaleLadder.Window.centred(width, height, cw, ch);
        return new int[] {c.x0(), c.y0()};
    }

    /** Standard deviation of the window's values over all channels. */
    private static double contrast(float[][] planes, int width, int x0, int y0, int cw, int ch) {
        double sum = 0, squares = 0;
        for (float[] p : planes) {
            for (int y = y0; y < y0 + ch; y++) {
                for (int x = x0; x < x0 + cw; x++) {
                    double v = p[y * width + x];
                    sum += v;
                    squares += v * v;
                }
            }
        }
        double n = (double) planes.length * cw * ch, mean = sum / n;
        return Math.sqrt(Math.max(0, squares / n - mean * mean));
    }

    /** The whole objects (cut ones left out when the window is a crop) of one window, already resized to sw × sh. */
    private static int[] segmentWindow(
            Engine engine, SegmentationSpec spec, float[][] window, int sw, int sh, boolean cropped) {
        int tile = Math.max(
                spec.tileMultiple(),
                (Math.max(sw, sh) + spec.tileMultiple() - 1) / spec.tileMultiple() * spec.tileMultiple());
        Segmenter.Result r = Segmenter.segment(
                engine,
                spec,
                TiledPredictor.planes(window, sw, sh),
                Segmenter.Options.of(spec).withTile(tile).withMinObjectPixels(smallestObject(spec.objectDiameter())),
                null);
        return withoutBorderObjects(r.objects(), sw, sh, cropped);
    }

    /**
     * Objects below a quarter of the model's diameter are left out of the median: at scales where the real objects
     * are that small they are far from the size to read, and where they are not, such specks are the model's noise
     * (in dim, noisy images they outnumber the nuclei and pulled the median to 2 px).
     */
    static int smallestObject(double modelDiameter) {
        double d = 0.25 * modelDiameter;
        return Math.max(6, (int) Math.round(Math.PI / 4 * d * d));
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
