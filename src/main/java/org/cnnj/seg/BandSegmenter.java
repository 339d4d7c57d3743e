package org.cnnj.seg;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.TiledPredictor;

/**
 * Segments an image of any size — also beyond 2^31 pixels, where no Java array can hold the result —
 * in bands of rows, handing each band's classes and object labels to a {@link Sink} (e.g. an ImgLib2
 * cell image). Each band is computed with one tile row of margin above and below, from exactly the
 * tiles a whole-image run would use ({@link TiledPredictor#predictRows}), so the classes are the same.
 * Objects are decoded per extended band as the whole image is (distance models: the basins of the
 * distance map; 3-class models: interior seeds grown) and joined across bands with a union–find in the
 * rows two bands share: 3-class objects where the same seed pixel carries a label in both (exact),
 * distance objects where they cover most of each other in the rows around the seam. Written labels are provisional ids; once
 * every band is done the sink is told the final id of each (objects numbered 1..n, objects with fewer
 * than {@code minObjectPixels} seed pixels — distance models: pixels — dropped).
 */
public final class BandSegmenter {
    /** Receives the results band by band, then the final relabelling. */
    public interface Sink {
        /** Rows [y0, y0 + rows) of the image: classes [rows × width]; provisional object ids (null for semantic models). */
        void rows(int y0, int rows, byte[] classes, int[] objects);

        /** Provisional id p becomes map[p] (0 = background or dropped); called once, after the last band. */
        void relabel(int[] map);
    }

    private BandSegmenter() {}

    /** Rows decoded at a time (rounded to whole tiles), and who hears after each band (or null). */
    public record Bands(int rows, TiledPredictor.Progress progress) {}

    /** @return the number of objects (0 for semantic models) */
    public static int segment(
            Segmenter segmenter, TiledPredictor.Source source, Segmenter.Options o, Bands banding, Sink sink) {
        Engine engine = segmenter.engine();
        SegmentationSpec spec = segmenter.spec();
        int bandRows = banding.rows();
        TiledPredictor.Progress progress = banding.progress();
        if (source.channels() != spec.inputChannels()) {
            throw new IllegalArgumentException(
                    "the model expects " + spec.inputChannels() + " channel(s) but the image has " + source.channels());
        }
        int width = source.width(),
                height = source.height(),
                tile = o.layout().tile(),
                k = spec.classes().size();
        int band = Math.max(tile, bandRows / tile * tile), margin = tile;
        if ((long) (band + 2 * margin) * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "the image is too wide for bands of " + band + " rows; use a smaller band or tile");
        }
        boolean instances = spec.isInstances(), distance = spec.task() == SegmentationTask.INSTANCES;
        UnionFind ids = new UnionFind();
        int[] carry = null;
        int carryStart = 0, bands = (height + band - 1) / band, done = 0;
        for (int b0 = 0; b0 < height; b0 += band) {
            int b1 = Math.min(height, b0 + band),
                    e0 = Math.max(0, b0 - margin),
                    e1 = Math.min(height, b1 + margin),
                    rows = e1 - e0;
            Band maps = classify(engine, source, o, e0, e1, k, spec, width);
            byte[] classes = maps.classes();
            int[] global = null;
            if (instances) {
                // Distance models: the basins of the band's distance map, as the whole image is decoded; 3-class:
                // interior seeds grown.
                int[] local = distance
                        ? DistanceInstances.decode(
                                maps.foreground(),
                                maps.distance(),
                                width,
                                rows,
                                new DistanceInstances.Options(spec.split(), 1))
                        : Instances.fromThreeClass(classes, width, rows, 0);
                int base = ids.size() - 1, max = 0;
                global = new int[local.length];
                for (int i = 0; i < local.length; i++) {
                    if (local[i] == 0) continue;
                    global[i] = base + local[i];
                    max = Math.max(max, local[i]);
                }
                ids.grow(base + max + 1);
                for (int i = (b0 - e0) * width; i < (b1 - e0) * width; i++)
                    if (global[i] > 0 && (distance || classes[i] == 1)) ids.count(global[i]);
                if (carry != null) {
                    int y0 = Math.max(e0, carryStart), y1 = Math.min(e1, carryStart + carry.length / width);
                    // Distance: only rows near the seam, where each band has half a margin of context (at a band's far
                    // edge
                    // objects are cut, their peaks lost, and touching ones run together there).
                    if (distance)
                        joinByOverlap(
                                ids,
                                global,
                                e0,
                                carry,
                                carryStart,
                                Math.max(y0, b0 - margin / 2),
                                Math.min(y1, b0 + margin / 2),
                                width);
                    else joinBySeeds(ids, classes, global, e0, carry, carryStart, y0, y1, width);
                }
                carryStart = Math.max(e0, b1 - margin);
                carry = Arrays.copyOfRange(global, (carryStart - e0) * width, rows * width);
            }
            sink.rows(
                    b0,
                    b1 - b0,
                    Arrays.copyOfRange(classes, (b0 - e0) * width, (b1 - e0) * width),
                    global == null ? null : Arrays.copyOfRange(global, (b0 - e0) * width, (b1 - e0) * width));
            if (progress != null) progress.update(++done, bands);
        }
        if (!instances) return 0;
        int[] map = ids.finalIds(o.minObjectPixels());
        sink.relabel(map);
        int count = 0;
        for (int v : map) count = Math.max(count, v);
        return count;
    }

    /**
     * Rows both bands computed (from the same tiles, so with the same classes), 3-class decoding: a seed
     * (interior) pixel labelled in both joins the two objects — seeds are what objects grow from, so this is exact.
     */
    private static void joinBySeeds(
            UnionFind ids, byte[] classes, int[] here, int e0, int[] there, int thereStart, int y0, int y1, int width) {
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < width; x++) {
                int h = (y - e0) * width + x, t = (y - thereStart) * width + x;
                if (classes[h] == 1 && here[h] > 0 && there[t] > 0) ids.union(here[h], there[t]);
            }
        }
    }

    /**
     * The same rows, distance decoding: two objects join when they cover most of each other's pixels there
     * (more than half of the smaller one's). Both bands see these rows with a margin's context, so they
     * nearly always agree; where they do not, this keeps one disagreeing pixel from merging two objects.
     */
    private static void joinByOverlap(
            UnionFind ids, int[] here, int e0, int[] there, int thereStart, int y0, int y1, int width) {
        Map<Long, Integer> pairs = new HashMap<>();
        Map<Integer, Integer> hereSize = new HashMap<>(), thereSize = new HashMap<>();
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < width; x++) {
                int a = here[(y - e0) * width + x], b = there[(y - thereStart) * width + x];
                if (a > 0) hereSize.merge(a, 1, Integer::sum);
                if (b > 0) thereSize.merge(b, 1, Integer::sum);
                if (a > 0 && b > 0) pairs.merge(((long) a << 32) | b, 1, Integer::sum);
            }
        }
        pairs.forEach((pair, n) -> {
            int a = (int) (pair >>> 32), b = (int) (long) pair;
            if (2L * n > Math.min(hereSize.get(a), thereSize.get(b))) ids.union(a, b);
        });
    }

    /** A band's argmax classes, and for distance models its foreground (p(background) < 0.5) and distance (sigmoid) maps. */
    private record Band(byte[] classes, boolean[] foreground, float[] distance) {}

    /** The maps of image rows [e0, e1), from the tiles a whole-image run would compute there. */
    private static Band classify(
            Engine engine,
            TiledPredictor.Source source,
            Segmenter.Options o,
            int e0,
            int e1,
            int k,
            SegmentationSpec spec,
            int width) {
        int classChannels = spec.classChannels(), n = (e1 - e0) * width;
        TiledPredictor.Layout layout = o.layout();
        // The foreground threshold of the decoding; its seed, relative-size and per-object outline rules need whole
        // objects and the whole image's median, which bands do not have, so banded results keep every object above
        // the threshold, outlined there.
        Segmenter.Threshold foregroundAbove =
                Segmenter.Threshold.of(o.decoding().foreground());
        boolean distance = spec.task() == SegmentationTask.INSTANCES, logits = "logits".equals(spec.output());
        byte[] classes = new byte[n];
        boolean[] foreground = distance ? new boolean[n] : null;
        float[] dist = distance ? new float[n] : null;
        TiledPredictor.predictRows(engine, source, layout, new TiledPredictor.Rows(e0, e1, null), t -> {
            if (t.classes() != k) {
                throw new IllegalStateException("the model produced " + t.classes()
                        + " output channels but its sidecar names " + k + " classes");
            }
            for (int y = t.y0(); y < Math.min(e1, t.y0() + t.height()); y++) {
                for (int x = t.x0(); x < t.x0() + t.width(); x++) {
                    int i = (y - e0) * width + x;
                    classes[i] = (byte) t.argmax(y, x, classChannels);
                    if (!distance) continue;
                    // The same maps and threshold as the whole-image path (Segmenter.predict and finish).
                    int q = t.index(y, x);
                    foreground[i] = foregroundAbove.test(t.output(), q, t.plane(), classChannels, logits);
                    dist[i] = Segmenter.distanceAt(t.output(), q, t.plane());
                }
            }
        });
        return new Band(classes, foreground, dist);
    }

    /** Union–find over provisional ids 1..n with the seed-pixel count of each set. */
    private static final class UnionFind {
        private int[] parent = {0};
        private long[] seedPixels = {0};

        int size() {
            return parent.length;
        }

        void grow(int n) {
            if (n <= parent.length) return;
            int old = parent.length;
            parent = Arrays.copyOf(parent, n);
            seedPixels = Arrays.copyOf(seedPixels, n);
            for (int i = old; i < n; i++) parent[i] = i;
        }

        void count(int id) {
            seedPixels[id]++;
        }

        int find(int i) {
            while (parent[i] != i) {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            return i;
        }

        void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra == rb) return;
            if (ra > rb) {
                int t = ra;
                ra = rb;
                rb = t;
            }
            parent[rb] = ra; // the smaller id stays the root, so objects are numbered in scan order
            seedPixels[ra] += seedPixels[rb];
        }

        /** Final ids 1..n for sets with at least {@code minSeed} seed pixels, in order of first appearance; 0 otherwise. */
        int[] finalIds(int minSeed) {
            int[] map = new int[parent.length], rootId = new int[parent.length];
            int next = 0;
            for (int i = 1; i < parent.length; i++) {
                int r = find(i);
                if (seedPixels[r] < Math.max(1, minSeed)) continue;
                if (rootId[r] == 0) rootId[r] = ++next;
                map[i] = rootId[r];
            }
            return map;
        }
    }
}
