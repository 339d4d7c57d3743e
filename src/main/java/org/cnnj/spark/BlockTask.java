package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.data.Percentiles;
import org.cnnj.model.Normalization;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.VolumeObjects;
import org.cnnj.seg.VolumeSegmenter;
import scala.Tuple2;

/**
 * What one task does in {@link BlockSegmentation}: segment a block with its margin and keep the objects centred in
 * the block; and paint the objects that touch one chunk of the label image into it.
 */
final class BlockTask {
    private static final Map<String, Segmenter> OPEN = new HashMap<>();
    private static final Map<String, VolumeSegmenter> VOLUMES = new HashMap<>();
    private static final Map<String, BlockSource> SOURCES = new HashMap<>();

    private BlockTask() {}

    /** The objects whose centre lies in block [bz, by, bx], in image coordinates. */
    static List<BlockObject> segment(BlockSegmentation.Plan p, long[] block) throws IOException {
        long[] lo = new long[3], hi = new long[3], from = new long[3];
        int[] n = new int[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = block[a] * p.block()[a];
            hi[a] = Math.min(p.size()[a], lo[a] + p.block()[a]);
            from[a] = Math.max(0, lo[a] - p.margin()[a]) / p.grid()[a] * p.grid()[a];
            n[a] = (int) (Math.min(p.size()[a], hi[a] + p.margin()[a]) - from[a]);
        }
        float[][] raw = read(p, new BlockSource.Box(from[0], from[1], from[2], n[0], n[1], n[2]));
        int[] labels = p.volume() ? volumeLabels(p, raw, from, n) : planeLabels(p, raw, from, n);
        long index = p.index(block[0], block[1], block[2]);
        return objects(labels, raw[0], n, from, lo, hi, index);
    }

    private static int[] planeLabels(BlockSegmentation.Plan p, float[][] raw, long[] from, int[] n) throws IOException {
        Segmenter s = segmenter(p);
        Segmenter.Options o = Segmenter.Options.of(s.spec())
                .withLayout(s.layout(p.tile(), line -> {}))
                .withScale(p.scale());
        synchronized (s) { // one block at a time per executor: the session uses the executor's cores
            return s.applyNormalizedPart(
                            normalized(p.low(), p.high(), s.spec().normalization(), raw),
                            new Segmenter.Part(n[2], n[1], from[2], from[1], p.width(), p.height()),
                            o)
                    .objects();
        }
    }

    private static int[] volumeLabels(BlockSegmentation.Plan p, float[][] raw, long[] from, int[] n)
            throws IOException {
        VolumeSegmenter s = volumeSegmenter(p);
        LabeledVolume v =
                volume(p.zRatio(), normalized(p.low(), p.high(), s.spec().normalization(), raw), n[0], n[1], n[2]);
        VolumeSegmenter.Options o =
                VolumeSegmenter.Options.defaults().withDiameter(s.spec().objectDiameter() / p.scale());
        synchronized (s) {
            VolumeSize whole = new VolumeSize((int) p.depth(), (int) p.height(), (int) p.width());
            return s.segmentNormalized(
                            v, v.image(), o, new VolumeSegmenter.Part(whole, (int) from[0], (int) from[1], (int)
                                    from[2]))
                    .labels();
        }
    }

    /** A block of the volume (already normalized) with the volume's z/xy ratio as its voxel size. */
    static LabeledVolume volume(double zRatio, float[][] normalized, int d, int h, int w) {
        return new LabeledVolume(
                "block", normalized, null, new VolumeSize(d, h, w), new double[] {zRatio, 1, 1}, "xy-voxel");
    }

    /**
     * Measures each label of the crop (size {@code n}, at {@code from}; z, y, x) with {@link VolumeObjects#measure}
     * and keeps those whose centroid lies in [lo, hi) on every axis, as runs along x in the image's coordinates, in
     * order of first appearance.
     */
    static List<BlockObject> objects(
            int[] labels, float[] intensity, int[] n, long[] from, long[] lo, long[] hi, long block) {
        int d = n[0], h = n[1], w = n[2];
        Map<Integer, VolumeObjects.Row> owned = new HashMap<>();
        for (VolumeObjects.Row r : VolumeObjects.measure(labels, intensity, new VolumeSize(d, h, w), UNIT)) {
            double[] centre = {r.centroidZ(), r.centroidY(), r.centroidX()};
            boolean inside = true;
            for (int a = 0; a < 3; a++) {
                double c = Math.floor(from[a] + centre[a]);
                inside &= c >= lo[a] && c < hi[a];
            }
            if (inside) owned.put(r.id(), r);
        }
        Map<Integer, List<Integer>> runs = new LinkedHashMap<>();
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++) {
                int row = (z * h + y) * w;
                for (int x = 0; x < w; ) {
                    int l = labels[row + x], start = x;
                    while (x < w && labels[row + x] == l) x++;
                    if (l == 0 || !owned.containsKey(l)) continue;
                    List<Integer> r = runs.computeIfAbsent(l, k -> new ArrayList<>());
                    r.add((int) (from[0] + z));
                    r.add((int) (from[1] + y));
                    r.add((int) (from[2] + start));
                    r.add((int) (from[2] + x));
                }
            }
        List<BlockObject> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : runs.entrySet()) {
            VolumeObjects.Row r = owned.get(e.getKey());
            out.add(new BlockObject(
                    0,
                    block,
                    e.getValue().stream().mapToInt(Integer::intValue).toArray(),
                    r.voxels(),
                    new double[] {from[2] + r.centroidX(), from[1] + r.centroidY(), from[0] + r.centroidZ()},
                    new long[] {
                        from[2] + r.x0(),
                        from[1] + r.y0(),
                        from[0] + r.z0(),
                        r.x1() - r.x0() + 1,
                        r.y1() - r.y0() + 1,
                        r.z1() - r.z0() + 1
                    },
                    r.meanIntensity()));
        }
        return out;
    }

    /** Voxels of the crop counted as they are (the objects' own measurements are in voxels). */
    private static final double[] UNIT = {1, 1, 1};

    /** The blocks an object's bounding box touches, each with the object: where its double may be. */
    static List<Tuple2<Long, BlockObject>> blocksTouched(BlockSegmentation.Plan p, BlockObject o) {
        long[] b = o.box(), bs = p.block(); // box: x, y, z, width, height, depth
        List<Tuple2<Long, BlockObject>> out = new ArrayList<>();
        for (long bz = b[2] / bs[0]; bz <= (b[2] + b[5] - 1) / bs[0]; bz++)
            for (long by = b[1] / bs[1]; by <= (b[1] + b[4] - 1) / bs[1]; by++)
                for (long bx = b[0] / bs[2]; bx <= (b[0] + b[3] - 1) / bs[2]; bx++)
                    out.add(new Tuple2<>(p.index(bz, by, bx), o));
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
        for (int k = 0; k < 3; k++) if (a[k] >= b[k] + b[k + 3] || b[k] >= a[k] + a[k + 3]) return false;
        return true;
    }

    /** Voxels two run lists share (runs sorted by z, then y, as they are made). */
    static long shared(int[] a, int[] b) {
        final int r = BlockObject.RUN;
        long n = 0;
        int j = 0;
        for (int i = 0; i < a.length; i += r) {
            while (j < b.length && rowOrder(b, j, a, i) < 0) j += r;
            for (int k = j; k < b.length && rowOrder(b, k, a, i) == 0; k += r)
                n += Math.max(0, Math.min(a[i + 3], b[k + 3]) - Math.max(a[i + 2], b[k + 2]));
        }
        return n;
    }

    /** Compares run i of a with run j of b by row (z, then y). */
    private static int rowOrder(int[] a, int i, int[] b, int j) {
        return a[i] != b[j] ? Integer.compare(a[i], b[j]) : Integer.compare(a[i + 1], b[j + 1]);
    }

    /**
     * The chunks (size z, y, x) an object touches, each with the object (painted there): keys "cy/cx" in a plane,
     * "cz/cy/cx" in a volume.
     */
    static List<Tuple2<String, BlockObject>> chunksOf(BlockObject o, int[] chunk, boolean planar) {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        int[] r = o.runs();
        for (int i = 0; i < r.length; i += BlockObject.RUN)
            for (int cx = r[i + 2] / chunk[2]; cx <= (r[i + 3] - 1) / chunk[2]; cx++)
                keys.put((planar ? "" : r[i] / chunk[0] + "/") + r[i + 1] / chunk[1] + "/" + cx, true);
        List<Tuple2<String, BlockObject>> out = new ArrayList<>();
        for (String k : keys.keySet()) out.add(new Tuple2<>(k, o));
        return out;
    }

    /**
     * Paints the objects into the chunk {@code key} (lower ids first: a voxel two objects claim keeps the first); returns
     * how many voxels were claimed twice.
     */
    static long paint(String array, int[] chunk, boolean planar, String key, Iterable<BlockObject> objects)
            throws IOException {
        ZarrArray a = ZarrArray.open(Path.of(array));
        long[] index = Arrays.stream(key.split("/")).mapToLong(Long::parseLong).toArray();
        long cz = planar ? 0 : index[0], cy = index[index.length - 2], cx = index[index.length - 1];
        List<BlockObject> sorted = new ArrayList<>();
        objects.forEach(sorted::add);
        sorted.sort((p, q) -> Long.compare(p.id(), q.id()));
        int[] values = new int[chunk[0] * chunk[1] * chunk[2]];
        long contested = 0;
        long z0 = cz * chunk[0], y0 = cy * chunk[1], x0 = cx * chunk[2];
        for (BlockObject o : sorted) {
            int[] r = o.runs();
            for (int i = 0; i < r.length; i += BlockObject.RUN) {
                if (r[i] < z0 || r[i] >= z0 + chunk[0] || r[i + 1] < y0 || r[i + 1] >= y0 + chunk[1]) continue;
                int row = (int) (((r[i] - z0) * chunk[1] + (r[i + 1] - y0)) * chunk[2]);
                for (long x = Math.max(r[i + 2], x0); x < Math.min(r[i + 3], x0 + chunk[2]); x++) {
                    int at = row + (int) (x - x0);
                    if (values[at] == 0) values[at] = (int) o.id();
                    else contested++;
                }
            }
        }
        a.writeChunk(index, values);
        return contested;
    }

    /** Every channel of {@code box} of the plan's input (z = 0, depth 1 in a plane). */
    static float[][] read(BlockSegmentation.Plan p, BlockSource.Box box) throws IOException {
        return read(source(p.input(), p.dataset()), p.channels(), box);
    }

    /** Every channel of {@code box} of {@code image}. */
    static float[][] read(BlockSource image, int channels, BlockSource.Box box) throws IOException {
        float[][] planes = new float[channels][];
        for (int c = 0; c < channels; c++) planes[c] = image.readBox(c, box);
        return planes;
    }

    /**
     * The values normalized with the image's percentiles {@code low}, {@code high} per channel (the same in every
     * block; NaN: the model's {@code normalization} has none).
     */
    static float[][] normalized(float[] low, float[] high, Normalization normalization, float[][] raw) {
        float[][] out = new float[raw.length][];
        for (int c = 0; c < raw.length; c++)
            out[c] = Float.isNaN(low[c]) ? normalization.apply(raw[c]) : new Percentiles(low[c], high[c]).apply(raw[c]);
        return out;
    }

    /**
     * The input: a mosaic, a folder of planes or an HDF5 file opened once per executor and version of its
     * configuration, folder or file (opening reads every tile's header, lists the planes and reads the first, or reads
     * the HDF5 file's chunk index), an OME-Zarr image for each block (its metadata only). A BigDataViewer XML's version
     * is also its HDF5 file's: the data is rewritten there, the XML often not.
     */
    static BlockSource source(String input, String dataset) throws IOException {
        Path in = Path.of(input), configuration = TileMosaic.configuration(in), bdv = Hdf5Source.ofXml(in);
        boolean hdf5 = bdv != null || Hdf5Source.holds(in);
        if (configuration == null && !PlaneFolder.holdsPlanes(in) && !hdf5) return BlockSource.open(in);
        Path stamp = configuration != null ? configuration : in;
        String image = stamp.toAbsolutePath() + " " + dataset + "@"; // the same image in any version
        String key = image + Files.getLastModifiedTime(stamp).toMillis();
        if (bdv != null && Files.exists(bdv))
            key += "," + Files.getLastModifiedTime(bdv).toMillis();
        closeOtherVersions(image, key);
        return once(SOURCES, key, () -> BlockSource.open(in, dataset));
    }

    /** Lets go of the sources opened for an earlier version of the same image (an HDF5 file holds its file open). */
    private static synchronized void closeOtherVersions(String image, String key) {
        SOURCES.entrySet().removeIf(e -> {
            boolean stale = e.getKey().startsWith(image) && !e.getKey().equals(key);
            if (stale) e.getValue().close();
            return stale;
        });
    }

    private static VolumeSegmenter volumeSegmenter(BlockSegmentation.Plan p) throws IOException {
        return once(
                VOLUMES,
                p.model() + " threads=" + p.threads(),
                () -> VolumeSegmenter.open(Path.of(p.model()), EngineKind.ORT, Device.AUTO, p.threads(), line -> {}));
    }

    private static Segmenter segmenter(BlockSegmentation.Plan p) throws IOException {
        return once(
                OPEN,
                p.model() + " threads=" + p.threads(),
                () -> Segmenter.open(
                        SegmentationModel.resolve(Path.of(p.model())),
                        EngineKind.ORT,
                        Device.AUTO,
                        p.threads(),
                        line -> {}));
    }

    /** Opens something once per executor and key (a model's session, an input's tile or plane index) and keeps it. */
    @FunctionalInterface
    private interface Opener<T> {
        T open() throws IOException;
    }

    private static synchronized <T> T once(Map<String, T> opened, String key, Opener<T> opener) throws IOException {
        T t = opened.get(key);
        if (t == null) {
            t = opener.open();
            opened.put(key, t);
        }
        return t;
    }
}
