package org.cnnj.spark;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.cli.FileCommands;
import org.cnnj.ij.Tiffs;
import org.cnnj.io.Batch;
import org.cnnj.io.ImageFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.seg.SyntheticVolumes;
import org.cnnj.seg.VolumeSegmenter;

/**
 * {@code ./cnnj spark bench [--images 500] [--size 256] [--input DIR] [--model nuclei] [--no-cluster]}: images per
 * second of the same segmentation of one folder, in one run — the single-JVM batch of {@code ./cnnj segment} with 1
 * and 2 threads, Spark {@code local[1]} and {@code local[2]} in this JVM, and a standalone cluster of two 1-core workers
 * (separate JVMs on 127.0.0.1) — with each Spark run's time relative to the single JVM at the same number of cores,
 * and how many images got labels identical to the single JVM's.
 */
final class SparkBench {
    private SparkBench() {}

    record Timing(String mode, int cores, double seconds, int images, int identical) {}

    static int run(String[] args) throws IOException {
        List<String> a = Arrays.asList(args);
        if (a.contains("--volume-blocks"))
            return volumeBlocks(
                    Integer.parseInt(value(a, "--volume-blocks", "512")),
                    Integer.parseInt(value(a, "--depth", "64")),
                    value(a, "--model", "models/nuclei3d.onnx"));
        if (a.contains("--blocks"))
            return blocks(Integer.parseInt(value(a, "--blocks", "4096")), value(a, "--model", "nuclei (built-in)"));
        int images = Integer.parseInt(value(a, "--images", "500")), size = Integer.parseInt(value(a, "--size", "256"));
        String model = value(a, "--model", "nuclei (built-in)");
        Path work = Files.createTempDirectory("cnnj-spark-bench");
        Path input = a.contains("--input")
                ? Path.of(value(a, "--input", ""))
                : generate(work.resolve("images"), images, size);
        int n = ImageFiles.list(input).size();
        System.out.println("spark bench: " + n + " images from " + input + ", model " + model + ", "
                + Runtime.getRuntime().availableProcessors() + " cores here");
        List<Timing> t = new ArrayList<>();
        Path reference = work.resolve("single-2");
        for (int cores : new int[] {2, 1}) { // 2 first: its labels are the reference
            Path out = work.resolve("single-" + cores);
            t.add(timed(
                    "single JVM (./cnnj segment)", cores, n, out, reference, () -> single(model, input, out, cores)));
            Path sparkOut = work.resolve("local-" + cores);
            t.add(timed(
                    "Spark local[" + cores + "]",
                    cores,
                    n,
                    sparkOut,
                    reference,
                    () -> SparkBatch.run(
                            "segment",
                            args(model, input, sparkOut),
                            SparkBatch.Settings.LOCAL.withMaster("local[" + cores + "]"))));
        }
        if (!a.contains("--no-cluster")) {
            try (StandaloneCluster c =
                    StandaloneCluster.start(StandaloneCluster.sparkHome(), work.resolve("cluster"), 2, 1, "4g")) {
                Path out = work.resolve("cluster-2");
                Map<String, String> conf = Map.of(
                        "spark.executor.cores",
                        "1",
                        "spark.executor.memory", // a 1 GB heap tiles at 128 px: 9x the work of 384 px
                        "4g",
                        "spark.jars",
                        SparkJvm.clusterJar().toAbsolutePath().toString());
                t.add(timed(
                        "Spark standalone, 2 workers x 1 core",
                        2,
                        n,
                        out,
                        reference,
                        () -> SparkBatch.run(
                                "segment", args(model, input, out), new SparkBatch.Settings(c.url(), 0, conf))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        System.out.println(table(t));
        return 0;
    }

    /**
     * {@code --blocks SIDE}: one synthetic SIDE × SIDE image segmented whole on this machine ({@code ./cnnj segment}'s
     * path) and in blocks of 1024 px on Spark local[2] (from OME-Zarr), in one run: time, objects, and AP@0.5 between
     * the two.
     */
    static int blocks(int side, String model) throws IOException {
        Path work = Files.createTempDirectory("cnnj-spark-blocks");
        float[] image = mosaic(side);
        Path zarr = work.resolve("image.ome.zarr");
        ZarrArray a = OmeZarr.write(zarr, image, new long[] {side, side}, new int[] {1024, 1024}, 1, "<u2");
        float[] pixels = a.readPlane(new long[0], 0, 0, side, side);
        long t0 = System.nanoTime();
        int[] whole;
        try (Segmenter seg = Segmenter.open(Path.of(model), EngineKind.ORT, Device.CPU, 2, line -> {})) {
            whole = seg.segment(
                            new float[][] {pixels},
                            side,
                            side,
                            Segmenter.Request.defaults().withDiameter(Diameter.parse("14")),
                            Segmenter.Feedback.NONE)
                    .objects();
        }
        double single = (System.nanoTime() - t0) / 1e9;
        String what = side + " x " + side + " px";
        return againstBlocks(
                what, whole, single, zarr, List.of("--model", model, "--block", "1024", "--diameter", "14"));
    }

    /**
     * {@code --volume-blocks SIDE [--depth D]}: one synthetic volume of D × SIDE × SIDE voxels (2:1:1) segmented whole by
     * the 3-D model on this machine ({@code ./cnnj segment}'s path) and in blocks of 256 × 256 × 32 on Spark local[2]
     * (from OME-Zarr), in one run, objects taken as 12 voxels across (the model's are 14.1: resized): time, objects,
     * and AP@0.5 between the two.
     */
    static int volumeBlocks(int side, int depth, String model) throws IOException {
        Path work = Files.createTempDirectory("cnnj-spark-volume-blocks");
        LabeledVolume v = SyntheticVolumes.generate(5, depth, side, side, SyntheticVolumes.Settings.defaults());
        Path zarr = work.resolve("volume.ome.zarr");
        long[] shape = {depth, side, side};
        ZarrArray a = OmeZarr.write(zarr, v.image()[0], shape, new int[] {32, 256, 256}, v.zRatio(), "<u2");
        int[] size = {depth, side, side};
        float[] voxels = a.read(new long[3], size);
        long t0 = System.nanoTime();
        VolumeSegmenter seg = VolumeSegmenter.open(Path.of(model), EngineKind.ORT, Device.CPU, 2, line -> {});
        int[] whole;
        try {
            whole = seg.segment(
                            new LabeledVolume("whole", new float[][] {voxels}, null, v.size(), v.voxel(), v.unit()),
                            VolumeSegmenter.Options.defaults().withDiameter(12),
                            System.out::println,
                            null)
                    .labels();
        } finally {
            seg.engine().close();
        }
        double single = (System.nanoTime() - t0) / 1e9;
        String what = side + " x " + side + " x " + depth + " voxels";
        return againstBlocks(
                what, whole, single, zarr, List.of("--model", model, "--block-z", "32", "--diameter", "12"));
    }

    /**
     * Segments {@code zarr} in blocks on Spark local[2] with {@code options} and prints time, objects and the match
     * (AP@0.5, precision, recall, mean IoU) against {@code whole}, segmented on one machine in {@code single} seconds.
     */
    private static int againstBlocks(String what, int[] whole, double single, Path zarr, List<String> options)
            throws IOException {
        Path out = zarr.resolveSibling("out");
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("--input", zarr.toString(), "--output", out.toString()));
        long t0 = System.nanoTime();
        BlockSegmentation.Outcome o = BlockSegmentation.run(args, new SparkBatch.Settings("local[2]", 0, Map.of()));
        double spark = (System.nanoTime() - t0) / 1e9;
        ZarrArray labels = OmeZarr.open(out.resolve("labels.zarr")).array();
        float[] read = labels.read(
                new long[labels.shape().length],
                Arrays.stream(labels.shape()).mapToInt(v -> (int) v).toArray());
        int[] blocks = new int[read.length];
        for (int i = 0; i < read.length; i++) blocks[i] = (int) read[i];
        InstanceMatching.Result m = InstanceMatching.match(whole, blocks, 0.5);
        System.out.printf(
                Locale.ROOT,
                "%s: whole on one machine %.1f s; %d blocks on Spark local[2] %.1f s (%.2fx); objects %d vs %d, AP@0.5"
                        + " between them %.4f (precision %.4f, recall %.4f, mean IoU %.4f)%n",
                what,
                single,
                o.blocks(),
                spark,
                single / spark,
                o.objects(),
                m.truePositives() + m.falseNegatives(),
                m.averagePrecision(),
                m.precision(),
                m.recall(),
                m.meanMatchedIou());
        return 0;
    }

    /**
     * Synthetic nuclei of {@code side}²: generated whole up to 1024 px, larger as a mosaic of 1024 px pieces (placing
     * nuclei without near-duplicates costs the square of their number: a million for 16k² would take hours).
     */
    static float[] mosaic(int side) {
        int piece = Math.min(side, 1024);
        float[] image = new float[side * side];
        for (int py = 0; py < side; py += piece)
            for (int px = 0; px < side; px += piece) {
                int h = Math.min(piece, side - py), w = Math.min(piece, side - px);
                float[] part = SyntheticNuclei.generate(3 + py / piece * 64 + px / piece, w, h)
                        .image();
                for (int y = 0; y < h; y++) System.arraycopy(part, y * w, image, (py + y) * side + px, w);
            }
        return image;
    }

    static String table(List<Timing> t) {
        StringBuilder s = new StringBuilder(String.format(
                Locale.ROOT,
                "%-40s %5s %9s %9s %14s %10s%n",
                "run",
                "cores",
                "seconds",
                "images/s",
                "vs single JVM",
                "identical"));
        for (Timing x : t) {
            Timing single = t.stream()
                    .filter(y -> y.mode().startsWith("single") && y.cores() == x.cores())
                    .findFirst()
                    .orElse(x);
            s.append(String.format(
                    Locale.ROOT,
                    "%-40s %5d %9.1f %9.2f %13.1f%% %6d/%d%n",
                    x.mode(),
                    x.cores(),
                    x.seconds(),
                    x.images() / x.seconds(),
                    100 * (x.seconds() / single.seconds() - 1),
                    x.identical(),
                    x.images()));
        }
        return s.append(
                        "(vs single JVM: extra time of the run over the single JVM's at the same cores; identical: labels.tif"
                                + " byte for byte equal to the single JVM's with 2 threads)")
                .toString();
    }

    private interface Run {
        void run() throws IOException;
    }

    private static Timing timed(String mode, int cores, int n, Path out, Path reference, Run r) throws IOException {
        PrintStream stdout = System.out;
        long t0 = System.nanoTime();
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream())); // the per-image lines
            r.run();
        } finally {
            System.setOut(stdout);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        int identical = 0;
        for (Path image : Files.list(reference).filter(Files::isDirectory).toList()) {
            Path mine = out.resolve(image.getFileName()).resolve("labels.tif");
            if (Files.exists(mine)
                    && Arrays.equals(Files.readAllBytes(mine), Files.readAllBytes(image.resolve("labels.tif"))))
                identical++;
        }
        System.out.printf(Locale.ROOT, "%s: %.1f s%n", mode, s);
        return new Timing(mode, cores, s, n, identical);
    }

    private static void single(String model, Path input, Path out, int threads) throws IOException {
        FileCommands.Parsed p = FileCommands.parse("segment", args(model, input, out));
        try (Batch.Worker w = p.opener().open(threads, line -> {})) {
            Batch.run("segment", ImageFiles.list(input), true, out, w);
        }
    }

    private static String[] args(String model, Path input, Path out) {
        return new String[] {"--model", model, "--input", input.toString(), "--output", out.toString()};
    }

    private static Path generate(Path dir, int count, int size) throws IOException {
        Files.createDirectories(dir);
        for (int k = 1; k <= count; k++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(k, size, size);
            Tiffs.save(
                    new ImagePlus("nuclei", new FloatProcessor(size, size, s.image()).convertToShortProcessor(false)),
                    dir.resolve(String.format(Locale.ROOT, "nuclei-%04d.tif", k)));
        }
        return dir;
    }

    private static String value(List<String> a, String name, String fallback) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : fallback;
    }
}
