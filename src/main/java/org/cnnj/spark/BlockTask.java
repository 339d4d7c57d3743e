package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.data.Percentiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import scala.Tuple2;

/**
 * What one task does in {@link BlockSegmentation}: segment a block with its margin and keep the objects centred in
 * the block; and paint the objects that touch one chunk of the label image into it.
 */
final class BlockTask {
    private static final Map<String, Segmenter> OPEN = new HashMap<>();
    private static final Map<String, BlockSource> SOURCES = new HashMap<>();

    private BlockTask() {}

    /** The objects whose centre lies in block [by, bx], in image coordinates. */
    static List<BlockObject> segment(BlockSegmentation.Plan p, long[] block) throws IOException {
        long y0 = block[0] * p.block(), x0 = block[1] * p.block();
        long y1 = Math.min(p.height(), y0 + p.block()), x1 = Math.min(p.width(), x0 + p.block());
        // Crops start on the network's pooling grid, as the whole image's tiles do (a U-Net is not shift-equivariant
        // by less than its tile multiple): the same pixels then get the same prediction in any block. Resized, the
        // segmenter finds that grid in the whole resized image itself (Segmenter.applyNormalizedPart).
        long grid = p.scale() == 1 ? p.multiple() : 1;
        long ey0 = Math.max(0, y0 - p.margin()) / grid * grid, ex0 = Math.max(0, x0 - p.margin()) / grid * grid;
        long ey1 = Math.min(p.height(), y1 + p.margin()), ex1 = Math.min(p.width(), x1 + p.margin());
        int h = (int) (ey1 - ey0), w = (int) (ex1 - ex0);
        float[][] raw = read(p, ey0, ex0, h, w);
        Segmenter s = segmenter(p);
        Segmenter.Options o = Segmenter.Options.of(s.spec())
                .withLayout(s.layout(p.tile(), line -> {}))
                .withScale(p.scale());
        int[] labels;
        synchronized (s) { // one block at a time per executor: the session uses the executor's cores
            labels = s.applyNormalizedPart(
                            normalized(p, s.spec(), raw), new Segmenter.Part(w, h, ex0, ey0, p.width(), p.height()), o)
                    .objects();
        }
        long index = block[0] * ((p.width() + p.block() - 1) / p.block()) + block[1];
        return objects(labels, raw[0], w, h, ey0, ex0, y0, x0, y1, x1, index);
    }

    /** Measures each label of the crop and keeps those whose centroid lies in [y0, y1) × [x0, x1). */
    static List<BlockObject> objects(
            int[] labels,
            float[] intensity,
            int w,
            int h,
            long oy,
            long ox,
            long y0,
            long x0,
            long y1,
            long x1,
            long block) {
        Map<Integer, double[]> stats = new LinkedHashMap<>(); // area, Σx, Σy, Σintensity, minx, miny, maxx, maxy
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int l = labels[y * w + x];
                if (l == 0) continue;
                double[] s = stats.computeIfAbsent(l, k -> new double[] {0, 0, 0, 0, 1e18, 1e18, -1, -1});
                s[0]++;
                s[1] += x;
                s[2] += y;
                s[3] += intensity[y * w + x];
                s[4] = Math.min(s[4], x);
                s[5] = Math.min(s[5], y);
                s[6] = Math.max(s[6], x);
                s[7] = Math.max(s[7], y);
            }
        Map<Integer, List<Integer>> runs = new HashMap<>();
        for (Map.Entry<Integer, double[]> e : stats.entrySet()) {
            double[] s = e.getValue();
            double cx = ox + s[1] / s[0], cy = oy + s[2] / s[0];
            if (Math.floor(cy) >= y0 && Math.floor(cy) < y1 && Math.floor(cx) >= x0 && Math.floor(cx) < x1)
                runs.put(e.getKey(), new ArrayList<>());
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; ) {
                int l = labels[y * w + x], start = x;
                while (x < w && labels[y * w + x] == l) x++;
                List<Integer> r = l == 0 ? null : runs.get(l);
                if (r != null) {
                    r.add((int) (oy + y));
                    r.add((int) (ox + start));
                    r.add((int) (ox + x));
                }
            }
        List<BlockObject> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : runs.entrySet()) {
            double[] s = stats.get(e.getKey());
            out.add(new BlockObject(
                    0,
                    block,
                    e.getValue().stream().mapToInt(Integer::intValue).toArray(),
                    (long) s[0],
                    ox + s[1] / s[0],
                    oy + s[2] / s[0],
                    new long[] {ox + (long) s[4], oy + (long) s[5], (long) (s[6] - s[4] + 1), (long) (s[7] - s[5] + 1)},
                    s[3] / s[0]));
        }
        return out;
    }

    /** The blocks an object's bounding box touches, each with the object: where its double may be. */
    static List<Tuple2<Long, BlockObject>> blocksTouched(BlockSegmentation.Plan p, BlockObject o) {
        long[] b = o.box();
        long perRow = (p.width() + p.block() - 1) / p.block();
        List<Tuple2<Long, BlockObject>> out = new ArrayList<>();
        for (long by = b[1] / p.block(); by <= (b[1] + b[3] - 1) / p.block(); by++)
            for (long bx = b[0] / p.block(); bx <= (b[0] + b[2] - 1) / p.block(); bx++)
                out.add(new Tuple2<>(by * perRow + bx, o));
        return out;
    }

    /**
     * Objects found twice: two blocks each saw an object across their border and each put its centroid on its own
     * side (its outline differed by a pixel). Of two objects of different blocks that share over half of the smaller,
     * the one of the later block is dropped (the same choice wherever the pair is met).
     */
    static List<String> doubles(Iterable<BlockObject> near) {
        List<BlockObject> all = new ArrayList<>();
        near.forEach(all::add);
        List<String> drop = new ArrayList<>();
        for (int i = 0; i < all.size(); i++)
            for (int j = i + 1; j < all.size(); j++) {
                BlockObject a = all.get(i), b = all.get(j);
                if (a.block() == b.block() || !boxesMeet(a.box(), b.box())) continue;
                if (shared(a.runs(), b.runs()) * 2 > Math.min(a.area(), b.area()))
                    drop.add(a.block() > b.block() ? a.key() : b.key());
            }
        return drop;
    }

    private static boolean boxesMeet(long[] a, long[] b) {
        return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
    }

    /** Pixels two run lists share (runs sorted by row, as they are made). */
    static long shared(int[] a, int[] b) {
        long n = 0;
        int j = 0;
        for (int i = 0; i < a.length; i += 3) {
            while (j < b.length && b[j] < a[i]) j += 3;
            for (int k = j; k < b.length && b[k] == a[i]; k += 3)
                n += Math.max(0, Math.min(a[i + 2], b[k + 2]) - Math.max(a[i + 1], b[k + 1]));
        }
        return n;
    }

    /** The chunks an object touches, each with the object (painted there). */
    static List<Tuple2<String, BlockObject>> chunksOf(BlockObject o, int chunk) {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        int[] r = o.runs();
        for (int i = 0; i < r.length; i += 3)
            for (int cx = r[i + 1] / chunk; cx <= (r[i + 2] - 1) / chunk; cx++) keys.put(r[i] / chunk + "/" + cx, true);
        List<Tuple2<String, BlockObject>> out = new ArrayList<>();
        for (String k : keys.keySet()) out.add(new Tuple2<>(k, o));
        return out;
    }

    /** Paints the objects into chunk "cy/cx" (lower ids first: a pixel two objects claim keeps the first); returns how many pixels were claimed twice. */
    static long paint(String array, int chunk, String key, Iterable<BlockObject> objects) throws IOException {
        ZarrArray a = ZarrArray.open(Path.of(array));
        String[] k = key.split("/");
        long cy = Long.parseLong(k[0]), cx = Long.parseLong(k[1]);
        List<BlockObject> sorted = new ArrayList<>();
        objects.forEach(sorted::add);
        sorted.sort((p, q) -> Long.compare(p.id(), q.id()));
        int[] values = new int[chunk * chunk];
        long contested = 0;
        long y0 = cy * chunk, x0 = cx * chunk;
        for (BlockObject o : sorted) {
            int[] r = o.runs();
            for (int i = 0; i < r.length; i += 3) {
                if (r[i] < y0 || r[i] >= y0 + chunk) continue;
                for (long x = Math.max(r[i + 1], x0); x < Math.min(r[i + 2], x0 + chunk); x++) {
                    int at = (int) ((r[i] - y0) * chunk + (x - x0));
                    if (values[at] == 0) values[at] = (int) o.id();
                    else contested++;
                }
            }
        }
        a.writeChunk(new long[] {cy, cx}, values);
        return contested;
    }

    static float[][] read(BlockSegmentation.Plan p, long y0, long x0, int h, int w) throws IOException {
        BlockSource image = source(p.input());
        float[][] planes = new float[p.channels()][];
        for (int c = 0; c < p.channels(); c++) planes[c] = image.readPlane(c, y0, x0, h, w);
        return planes;
    }

    /** The planes normalized with the image's percentiles (the same in every block). */
    static float[][] normalized(BlockSegmentation.Plan p, SegmentationSpec spec, float[][] raw) {
        float[][] out = new float[raw.length][];
        for (int c = 0; c < raw.length; c++)
            out[c] = Float.isNaN(p.low()[c])
                    ? spec.normalization().apply(raw[c])
                    : new Percentiles(p.low()[c], p.high()[c]).apply(raw[c]);
        return out;
    }

    /**
     * The input: a mosaic opened once per executor and version of its configuration (opening reads every tile's
     * header), an OME-Zarr image for each block (its metadata only).
     */
    private static synchronized BlockSource source(String input) throws IOException {
        Path configuration = TileMosaic.configuration(Path.of(input));
        if (configuration == null) return BlockSource.open(Path.of(input));
        String key = configuration.toAbsolutePath() + "@"
                + Files.getLastModifiedTime(configuration).toMillis();
        BlockSource s = SOURCES.get(key);
        if (s == null) {
            s = TileMosaic.open(configuration);
            SOURCES.put(key, s);
        }
        return s;
    }

    private static synchronized Segmenter segmenter(BlockSegmentation.Plan p) throws IOException {
        String key = p.model() + " threads=" + p.threads();
        Segmenter s = OPEN.get(key);
        if (s == null) {
            s = Segmenter.open(
                    SegmentationModel.resolve(Path.of(p.model())),
                    EngineKind.ORT,
                    Device.AUTO,
                    p.threads(),
                    line -> {});
            OPEN.put(key, s);
        }
        return s;
    }
}
