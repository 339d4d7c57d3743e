package org.cnnj.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.cnnj.data.Percentiles;
import org.cnnj.io.FolderLock;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.Segmenter;

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
    /** What every task must share. */
    record Plan(
            String model,
            String input,
            int threads,
            double scale,
            float[] low,
            float[] high,
            int tile,
            long block,
            long margin,
            long width,
            long height,
            int channels,
            int multiple)
            implements Serializable {}

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

    private BlockSegmentation() {}

    /**
     * What a run gave: objects, blocks, pixels two objects claimed (painted once, for the lower id), and objects two
     * blocks found (kept once).
     */
    record Outcome(long objects, int blocks, long contested, int doubles) {}

    static Outcome run(List<String> args, SparkBatch.Settings settings) throws IOException {
        String model = required(args, "--model"),
                input = required(args, "--input"),
                output = required(args, "--output");
        long block = Long.parseLong(value(args, "--block", "2048"));
        long marginAsked = Long.parseLong(value(args, "--margin", "0"));
        int chunk = Integer.parseInt(value(args, "--chunk", "1024")),
                threads = Integer.parseInt(value(args, "--threads", "0"));
        int tileAsked = Integer.parseInt(value(args, "--tile", "0"));
        Diameter diameter = Diameter.parse(value(args, "--diameter", "auto"));
        if (!args.isEmpty())
            throw new IllegalArgumentException("unknown options " + args + "; see ./cnnj spark --help");
        SparkBatch.quietLogging();
        BlockSource image = BlockSource.open(Path.of(input));
        Path out = Path.of(output).toAbsolutePath().normalize();
        try (FolderLock lock = FolderLock.of(out, "spark-segment-blocks")) {
            Plan plan;
            // The driver's model only plans; it is closed before the job (in local mode the tasks open their own).
            try (Segmenter s = Segmenter.open(
                    SegmentationModel.resolve(Path.of(model)), EngineKind.ORT, Device.AUTO, threads, line -> {})) {
                plan = plan(s, image, model, input, threads, diameter, tileAsked, block, marginAsked);
            }
            List<long[]> blocks = blocks(plan);
            System.out.printf(
                    Locale.ROOT,
                    "spark segment-blocks: %d x %d px in %d blocks of %d px (+%d px margin), scale x%.3f, tiles %d px%n",
                    plan.width(),
                    plan.height(),
                    blocks.size(),
                    block,
                    plan.margin(),
                    plan.scale(),
                    plan.tile());
            SparkConf conf = settings.conf("CNN-J segment-blocks -> " + out);
            try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
                    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext())) {
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
                OmeZarr.createLabels(labels, plan.height(), plan.width(), chunk, image.describe());
                String array = labels.resolve("0").toString();
                LongAccumulator contested = sc.sc().longAccumulator("contested pixels");
                numbered.flatMapToPair(o -> BlockTask.chunksOf(o, chunk).iterator())
                        .groupByKey()
                        .foreach(c -> contested.add(BlockTask.paint(array, chunk, c._1(), c._2())));
                Dataset<Row> table = spark.createDataFrame(numbered.map(BlockSegmentation::row), TABLE);
                RunTables.writeTable(table, TABLE, out.resolve("objects.csv"), out.resolve("objects.parquet"));
                Outcome o = new Outcome(numbered.count(), blocks.size(), contested.value(), doubles.size());
                numbered.unpersist(true); // blocking: an asynchronous one races the session's end (stack traces)
                found.unpersist(true);
                System.out.println("spark segment-blocks: " + o.objects() + " objects in " + o.blocks() + " blocks"
                        + (o.doubles() > 0 ? "; " + o.doubles() + " found by two blocks, kept once" : "")
                        + (o.contested() > 0 ? "; " + o.contested() + " pixels claimed by two objects" : "")
                        + "\nlabels: " + labels + " (OME-Zarr, uint32); tables: objects.csv, objects.parquet in "
                        + out);
                return o;
            }
        }
    }

    private static Row row(BlockObject o) {
        long[] b = o.box();
        return RowFactory.create(
                o.id(), o.area(), o.centroidX(), o.centroidY(), b[0], b[1], b[2], b[3], o.meanIntensity());
    }

    /** The blocks' top-left corners, in block units: [by, bx]. */
    static List<long[]> blocks(Plan p) {
        List<long[]> blocks = new ArrayList<>();
        for (long by = 0; by * p.block() < p.height(); by++)
            for (long bx = 0; bx * p.block() < p.width(); bx++) blocks.add(new long[] {by, bx});
        return blocks;
    }

    /** Normalization, scale, tiles and margin, decided once for the whole image. */
    static Plan plan(
            Segmenter s,
            BlockSource image,
            String model,
            String input,
            int threads,
            Diameter diameter,
            int tileAsked,
            long block,
            long marginAsked)
            throws IOException {
        if (!s.spec().isInstances())
            throw new IllegalArgumentException(model + " is a semantic model; block-wise segmentation numbers objects:"
                    + " give an instance model (the nuclei model, or one trained with objects)");
        int channels = image.channels();
        if (channels != s.spec().inputChannels())
            throw new IllegalArgumentException(input + " has " + channels + " channel(s) but the model takes "
                    + s.spec().inputChannels());
        float[] low = new float[channels], high = new float[channels];
        for (int c = 0; c < channels; c++) {
            Percentiles p = Segmenter.percentiles(s.spec(), image.sample(c));
            low[c] = p == null ? Float.NaN : p.low();
            high[c] = p == null ? Float.NaN : p.high();
        }
        TiledPredictor.Layout layout = s.layout(tileAsked, line -> {});
        Plan draft = new Plan(
                model,
                input,
                threads,
                1,
                low,
                high,
                layout.tile(),
                block,
                0,
                image.width(),
                image.height(),
                channels,
                layout.multiple());
        double scale;
        if (diameter.auto()) {
            int side = (int) Math.min(2048, Math.min(image.width(), image.height()));
            long y0 = (image.height() - side) / 2, x0 = (image.width() - side) / 2;
            float[][] centre = BlockTask.normalized(draft, s.spec(), BlockTask.read(draft, y0, x0, side, side));
            scale = s.scaleFor(centre, side, side, diameter, System.out::println);
        } else scale = s.scaleFor(null, 0, 0, diameter, line -> {});
        double objectPx = s.spec().objectDiameter() > 0 ? s.spec().objectDiameter() / scale : 32;
        long margin = marginAsked > 0 ? marginAsked : (long) Math.ceil(layout.halo() / scale + 2 * objectPx);
        return new Plan(
                model,
                input,
                threads,
                scale,
                low,
                high,
                layout.tile(),
                block,
                margin,
                image.width(),
                image.height(),
                channels,
                layout.multiple());
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
