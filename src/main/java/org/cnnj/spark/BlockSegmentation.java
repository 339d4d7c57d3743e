package org.cnnj.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.cnnj.data.Percentiles;
import org.cnnj.io.FolderLock;
import org.cnnj.model.Normalization;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.VolumeSpec;

/**
 * One image too large for one machine, segmented in blocks on Spark: {@code ./cnnj spark segment-blocks --model M
 * --input IMAGE.zarr --output DIR [--block 2048] [--margin auto] [--diameter auto|PX] [--chunk 1024]}. The driver fixes
 * what must be the same everywhere — the normalization (percentiles of the image, from a sample of its chunks), the
 * scale (the object size, estimated on the image's centre), the tiles — and each task segments one block with a
 * margin around it (the network's context plus twice the objects' size), keeping the objects whose centre lies in
 * its block. An object cut by a block border is thus found whole by the one block that owns its centre and by no
 * other: none doubled, none cut. The objects are numbered across the image, painted into the chunks of an OME-Zarr
 * label image (uint32; each chunk written by one task, temporary name then rename), and listed in objects.csv and
 * objects.parquet (id, area, centroid, bounding box, mean intensity).
 */
final class BlockSegmentation {
    /**
     * What every task must share: the model, the normalization (percentiles per channel, NaN where the model has
     * none), the scale (model voxels per image voxel in xy) and the z spacing over the xy spacing (volumes), the 2-D
     * tile (0 for a volume, whose segmenter sizes its blocks), and per axis (z, y, x; z of size 1 in a plane) the image's
     * size, the block, its margin and the grid crops start on. {@code volume}: a 3-D model, which sees the blocks as
     * volumes and finds 3-D objects.
     *
     * <p>The grid: seen at the model's own scale, crops start on the network's pooling grid, as the whole image's
     * tiles do (a U-Net is not shift-equivariant by less than its tile multiple), so the same pixels get the same
     * prediction in any block. Resized, a block is resampled on the whole resized image's grid by the segmenter itself
     * ({@code Segmenter.applyNormalizedPart}, {@code VolumeSegmenter.Part}), and crops start anywhere (grid 1).
     */
    record Plan(
            String model,
            String input,
            String dataset,
            int threads,
            double scale,
            double zRatio,
            float[] low,
            float[] high,
            int tile,
            long[] size,
            long[] block,
            long[] margin,
            int[] grid,
            int channels,
            boolean volume)
            implements Serializable {
        long depth() {
            return size[0];
        }

        long height() {
            return size[1];
        }

        long width() {
            return size[2];
        }

        /** Blocks along axis {@code a} (0 = z, 1 = y, 2 = x). */
        long blocksAlong(int a) {
            return (size[a] + block[a] - 1) / block[a];
        }

        /** The number of block [bz, by, bx] (z slowest). */
        long index(long bz, long by, long bx) {
            return (bz * blocksAlong(1) + by) * blocksAlong(2) + bx;
        }
    }

    /** The objects table of a plane. */
    static final StructType TABLE = new StructType(new StructField[] {
        DataTypes.createStructField("label", DataTypes.LongType, false),
        DataTypes.createStructField("area_px", DataTypes.LongType, false),
        DataTypes.createStructField("centroid_x_px", DataTypes.DoubleType, false),
        DataTypes.createStructField("centroid_y_px", DataTypes.DoubleType, false),
        DataTypes.createStructField("box_x", DataTypes.LongType, false),
        DataTypes.createStructField("box_y", DataTypes.LongType, false),
        DataTypes.createStructField("box_width", DataTypes.LongType, false),
        DataTypes.createStructField("box_height", DataTypes.LongType, false),
        DataTypes.createStructField("mean_intensity", DataTypes.DoubleType, false)
    });

    /** The objects table of a volume (voxels; z, y, x as the volume's axes). */
    static final StructType VOLUME_TABLE = new StructType(new StructField[] {
        DataTypes.createStructField("label", DataTypes.LongType, false),
        DataTypes.createStructField("volume_voxels", DataTypes.LongType, false),
        DataTypes.createStructField("centroid_x_px", DataTypes.DoubleType, false),
        DataTypes.createStructField("centroid_y_px", DataTypes.DoubleType, false),
        DataTypes.createStructField("centroid_z_px", DataTypes.DoubleType, false),
        DataTypes.createStructField("box_x", DataTypes.LongType, false),
        DataTypes.createStructField("box_y", DataTypes.LongType, false),
        DataTypes.createStructField("box_z", DataTypes.LongType, false),
        DataTypes.createStructField("box_width", DataTypes.LongType, false),
        DataTypes.createStructField("box_height", DataTypes.LongType, false),
        DataTypes.createStructField("box_depth", DataTypes.LongType, false),
        DataTypes.createStructField("mean_intensity", DataTypes.DoubleType, false)
    });

    private BlockSegmentation() {}

    /**
     * What a run gave: objects, blocks, pixels two objects claimed (painted once, for the lower id), and objects two
     * blocks found (kept once).
     */
    record Outcome(long objects, int blocks, long contested, int doubles) {}

    static Outcome run(List<String> args, SparkBatch.Settings settings) throws IOException {
        // Absolute: executors of a cluster run in their own working folders.
        String model = absoluteIfFile(required(args, "--model")),
                input =
                        Path.of(required(args, "--input"))
                                .toAbsolutePath()
                                .normalize()
                                .toString(),
                output = required(args, "--output");
        boolean volume = VolumeSpec.describes(Path.of(model));
        long block = Long.parseLong(value(args, "--block", volume ? "256" : "2048")),
                blockZ = Long.parseLong(value(args, "--block-z", "64"));
        long marginAsked = Long.parseLong(value(args, "--margin", "0"));
        int chunk = Integer.parseInt(value(args, "--chunk", volume ? "256" : "1024")),
                chunkZ = Integer.parseInt(value(args, "--chunk-z", "32")),
                threads = Integer.parseInt(value(args, "--threads", "0"));
        int tileAsked = Integer.parseInt(value(args, "--tile", "0"));
        Diameter diameter = Diameter.parse(value(args, "--diameter", "auto"));
        String voxel = value(args, "--voxel", null);
        String dataset = value(args, "--dataset", null);
        if (!args.isEmpty())
            throw new IllegalArgumentException("unknown options " + args + "; see ./cnnj spark --help");
        if (block < 16 || blockZ < 1 || chunk < 16 || chunkZ < 1)
            throw new IllegalArgumentException("--block and --chunk take at least 16 px, --block-z and --chunk-z 1");
        SparkBatch.quietLogging();
        Path out = Path.of(output).toAbsolutePath().normalize();
        try (BlockSource image = BlockSource.open(Path.of(input), dataset);
                FolderLock lock = FolderLock.of(out, "spark-segment-blocks")) {
            Request request =
                    new Request(model, input, dataset, threads, diameter, tileAsked, block, blockZ, marginAsked);
            Plan plan = volume ? VolumePlan.of(request, image, voxel) : plan(request, image);
            List<long[]> blocks = blocks(plan);
            System.out.printf(
                    Locale.ROOT,
                    "spark segment-blocks: %s px in %d blocks of %s px (+%s px margin), scale x%.3f%s%n",
                    dims(plan.size(), plan.volume()),
                    blocks.size(),
                    dims(plan.block(), plan.volume()),
                    dims(plan.margin(), plan.volume()),
                    plan.scale(),
                    plan.volume()
                            ? String.format(Locale.ROOT, ", z/xy %.2f", plan.zRatio())
                            : ", tiles " + plan.tile());
            int[] chunks = plan.volume()
                    ? new int[] {(int) Math.min(chunkZ, plan.depth()), chunk, chunk}
                    : new int[] {1, chunk, chunk};
            SparkConf conf = settings.conf("CNN-J segment-blocks -> " + out);
            // A bare SparkContext: no Spark SQL runs on this path (the tables are written by RunTables' own parts).
            try (JavaSparkContext sc = new JavaSparkContext(SparkContext.getOrCreate(conf))) {
                sc.setLogLevel("WARN");
                // Kept: numbering counts every partition first, and the blocks must not be segmented twice.
                JavaRDD<BlockObject> found = sc.parallelize(blocks, blocks.size())
                        .flatMap(b -> BlockTask.segment(plan, b).iterator())
                        .persist(StorageLevel.MEMORY_AND_DISK());
                Set<String> doubles = new HashSet<>(found.flatMapToPair(
                                o -> BlockTask.blocksTouched(plan, o).iterator())
                        .groupByKey()
                        .flatMap(g -> BlockTask.doubles(g._2()).iterator())
                        .distinct()
                        .collect());
                Broadcast<Set<String>> drop = sc.broadcast(doubles);
                JavaRDD<BlockObject> numbered = found.filter(o -> !drop.value().contains(o.key()))
                        .zipWithIndex()
                        .map(t -> t._1().withId(t._2() + 1))
                        .persist(StorageLevel.MEMORY_AND_DISK());
                Path labels = out.resolve("labels.zarr");
                OmeZarr.createLabels(
                        labels,
                        plan.volume() ? plan.size() : new long[] {plan.height(), plan.width()},
                        plan.volume() ? chunks : new int[] {chunk, chunk},
                        plan.zRatio(),
                        image.describe());
                String array = labels.resolve("0").toString();
                LongAccumulator contested = sc.sc().longAccumulator("contested pixels");
                boolean planar = !plan.volume();
                numbered.flatMapToPair(
                                o -> BlockTask.chunksOf(o, chunks, planar).iterator())
                        .groupByKey()
                        .foreach(c -> contested.add(BlockTask.paint(array, chunks, planar, c._1(), c._2())));
                StructType schema = plan.volume() ? VOLUME_TABLE : TABLE;
                RunTables.writeTable(
                        numbered.map(o -> row(o, planar)),
                        schema,
                        out.resolve("objects.csv"),
                        out.resolve("objects.parquet"));
                Outcome o = new Outcome(numbered.count(), blocks.size(), contested.value(), doubles.size());
                numbered.unpersist(true); // blocking: an asynchronous one races the session's end (stack traces)
                found.unpersist(true);
                String px = plan.volume() ? "voxels" : "pixels";
                System.out.println("spark segment-blocks: " + o.objects() + (plan.volume() ? " 3-D" : "")
                        + " objects in " + o.blocks() + " blocks"
                        + (o.doubles() > 0 ? "; " + o.doubles() + " found by two blocks, kept once" : "")
                        + (o.contested() > 0 ? "; " + o.contested() + " " + px + " claimed by two objects" : "")
                        + "\nlabels: " + labels + " (OME-Zarr, uint32); tables: objects.csv, objects.parquet in "
                        + out);
                return o;
            }
        }
    }

    /** What the user asked for, before the image and the model decide the rest. */
    record Request(
            String model,
            String input,
            String dataset,
            int threads,
            Diameter diameter,
            int tile,
            long block,
            long blockZ,
            long margin) {}

    private static String dims(long[] zyx, boolean volume) {
        return volume ? zyx[2] + " x " + zyx[1] + " x " + zyx[0] : zyx[2] + " x " + zyx[1];
    }

    private static Row row(BlockObject o, boolean planar) {
        long[] b = o.box();
        double[] c = o.centroid();
        if (planar) return RowFactory.create(o.id(), o.area(), c[0], c[1], b[0], b[1], b[3], b[4], o.meanIntensity());
        return RowFactory.create(
                o.id(), o.area(), c[0], c[1], c[2], b[0], b[1], b[2], b[3], b[4], b[5], o.meanIntensity());
    }

    /** The blocks' corners, in block units: [bz, by, bx]. */
    static List<long[]> blocks(Plan p) {
        List<long[]> blocks = new ArrayList<>();
        for (long bz = 0; bz < p.blocksAlong(0); bz++)
            for (long by = 0; by < p.blocksAlong(1); by++)
                for (long bx = 0; bx < p.blocksAlong(2); bx++) blocks.add(new long[] {bz, by, bx});
        return blocks;
    }

    /** Normalization, scale, tiles and margin, decided once for the whole plane. */
    static Plan plan(Request r, BlockSource image) throws IOException {
        if (image.depth() > 1)
            throw new IllegalArgumentException(r.input() + " has " + image.depth() + " z planes but " + r.model()
                    + " is a 2-D model: give a 3-D model (a sidecar of task instances-3d, e.g. models/nuclei3d.onnx),"
                    + " or one plane");
        // The driver's model only plans; it is closed before the job (in local mode the tasks open their own).
        try (Segmenter s = Segmenter.open(
                SegmentationModel.resolve(Path.of(r.model())), EngineKind.ORT, Device.AUTO, r.threads(), line -> {})) {
            if (!s.spec().isInstances())
                throw new IllegalArgumentException(r.model() + " is a semantic model; block-wise segmentation numbers"
                        + " objects: give an instance model (the nuclei model, or one trained with objects)");
            int channels = checkChannels(r, image, s.spec().inputChannels());
            float[][] range = percentiles(image, s.spec().normalization());
            TiledPredictor.Layout layout = s.layout(r.tile(), line -> {});
            double scale;
            if (r.diameter().auto()) {
                int side = (int) Math.min(2048, Math.min(image.width(), image.height()));
                long y0 = (image.height() - side) / 2, x0 = (image.width() - side) / 2;
                float[][] centre = BlockTask.normalized(
                        range[0],
                        range[1],
                        s.spec().normalization(),
                        BlockTask.read(image, channels, BlockSource.Box.plane(y0, x0, side, side)));
                scale = s.scaleFor(centre, side, side, r.diameter(), System.out::println);
            } else scale = s.scaleFor(null, 0, 0, r.diameter(), line -> {});
            double objectPx = s.spec().objectDiameter() > 0 ? s.spec().objectDiameter() / scale : 32;
            long margin = r.margin() > 0 ? r.margin() : (long) Math.ceil(layout.halo() / scale + 2 * objectPx);
            int[] grid = scale == 1 ? new int[] {1, layout.multiple(), layout.multiple()} : new int[] {1, 1, 1};
            return new Plan(
                    r.model(),
                    r.input(),
                    r.dataset(),
                    r.threads(),
                    scale,
                    1,
                    range[0],
                    range[1],
                    layout.tile(),
                    new long[] {1, image.height(), image.width()},
                    new long[] {1, r.block(), r.block()},
                    new long[] {0, margin, margin},
                    grid,
                    channels,
                    false);
        }
    }

    static int checkChannels(Request r, BlockSource image, int modelChannels) {
        if (image.channels() != modelChannels)
            throw new IllegalArgumentException(
                    r.input() + " has " + image.channels() + " channel(s) but the model takes " + modelChannels);
        return modelChannels;
    }

    /** Each channel's low and high percentiles over the image (a sample of it), NaN where the model has none. */
    static float[][] percentiles(BlockSource image, Normalization normalization) throws IOException {
        int channels = image.channels();
        float[] low = new float[channels], high = new float[channels];
        for (int c = 0; c < channels; c++) {
            Percentiles p = normalization.percentiles(image.sample(c));
            low[c] = p == null ? Float.NaN : p.low();
            high[c] = p == null ? Float.NaN : p.high();
        }
        return new float[][] {low, high};
    }

    /** A model file's absolute path; a built-in model's name as it is. */
    private static String absoluteIfFile(String model) {
        Path p = Path.of(model);
        return Files.exists(p) ? p.toAbsolutePath().normalize().toString() : model;
    }

    private static String required(List<String> args, String name) {
        String v = value(args, name, null);
        if (v == null) throw new IllegalArgumentException("give " + name);
        return v;
    }

    private static String value(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) return fallback;
        if (i + 1 >= args.size()) throw new IllegalArgumentException(name + " needs a value");
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return v;
    }
}
