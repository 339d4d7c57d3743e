package org.cnnj.infer;

import java.util.Arrays;
import org.cnnj.eval.Instances;

/**
 * Segments an image of any size — also beyond 2^31 pixels, where no Java array can hold the result —
 * in bands of rows, handing each band's classes and object labels to a {@link Sink} (e.g. an ImgLib2
 * cell image). Each band is computed with one tile row of margin above and below, from exactly the
 * tiles a whole-image run would use ({@link TiledPredictor#predictRows}), so the classes are the same;
 * objects are found per extended band and joined across bands with a union–find wherever the same seed
 * (interior) pixel carries a label in both bands. Written labels are provisional ids; once every band
 * is done the sink is told the final id of each (objects numbered 1..n, seeds with fewer than
 * {@code minObjectPixels} interior pixels dropped).
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

    /** @return the number of objects (0 for semantic models) */
    public static int segment(Engine engine, ModelSpec spec, TiledPredictor.Source source, Segmenter.Options o, int bandRows, Sink sink,
                              TiledPredictor.Progress progress) {
        if (source.channels() != spec.inputChannels()) {
            throw new IllegalArgumentException("the model expects " + spec.inputChannels() + " channel(s) but the image has " + source.channels());
        }
        int width = source.width(), height = source.height(), tile = o.layout().tile(), k = spec.classes().size();
        int band = Math.max(tile, bandRows / tile * tile), margin = tile;
        if ((long) (band + 2 * margin) * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the image is too wide for bands of " + band + " rows; use a smaller band or tile");
        }
        boolean instances = spec.isInstances(); // instances-distance models: decoded from their three class channels here (bands cannot run the global watershed)
        UnionFind ids = new UnionFind();
        int[] carry = null;
        int carryStart = 0, bands = (height + band - 1) / band, done = 0;
        for (int b0 = 0; b0 < height; b0 += band) {
            int b1 = Math.min(height, b0 + band), e0 = Math.max(0, b0 - margin), e1 = Math.min(height, b1 + margin), rows = e1 - e0;
            byte[] classes = classify(engine, source, o.layout(), e0, e1, k, spec.classChannels(), width);
            int[] global = null;
            if (instances) {
                int[] local = Instances.fromThreeClass(classes, width, rows, 0);
                int base = ids.size() - 1, max = 0;
                global = new int[local.length];
                for (int i = 0; i < local.length; i++) {
                    if (local[i] == 0) continue;
                    global[i] = base + local[i];
                    max = Math.max(max, local[i]);
                }
                ids.grow(base + max + 1);
                for (int i = (b0 - e0) * width; i < (b1 - e0) * width; i++) if (classes[i] == 1 && global[i] > 0) ids.count(global[i]);
                if (carry != null) {
                    // Rows both bands computed (from the same tiles, so with the same classes): a seed pixel labelled in both joins the two objects.
                    for (int y = Math.max(e0, carryStart); y < Math.min(e1, carryStart + carry.length / width); y++) {
                        for (int x = 0; x < width; x++) {
                            int here = (y - e0) * width + x, there = (y - carryStart) * width + x;
                            if (classes[here] == 1 && global[here] > 0 && carry[there] > 0) ids.union(global[here], carry[there]);
                        }
                    }
                }
                carryStart = Math.max(e0, b1 - margin);
                carry = Arrays.copyOfRange(global, (carryStart - e0) * width, rows * width);
            }
            sink.rows(b0, b1 - b0, Arrays.copyOfRange(classes, (b0 - e0) * width, (b1 - e0) * width),
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

    /** Argmax classes of image rows [e0, e1), from the tiles a whole-image run would compute there. */
    private static byte[] classify(Engine engine, TiledPredictor.Source source, TiledPredictor.Layout layout, int e0, int e1, int k, int classChannels,
                                   int width) {
        byte[] classes = new byte[(e1 - e0) * width];
        TiledPredictor.predictRows(engine, source, layout, e0, e1, t -> {
            if (t.classes() != k) {
                throw new IllegalStateException("the model produced " + t.classes() + " output channels but its sidecar names " + k + " classes");
            }
            for (int y = t.y0(); y < Math.min(e1, t.y0() + t.height()); y++) {
                for (int x = t.x0(); x < t.x0() + t.width(); x++) {
                    classes[(y - e0) * width + x] = (byte) t.argmax(y, x, classChannels);
                }
            }
        }, null);
        return classes;
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
