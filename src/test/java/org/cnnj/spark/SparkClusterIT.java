package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cnnj.cli.FileCommands;
import org.cnnj.ij.Tiffs;
import org.cnnj.io.Batch;
import org.cnnj.io.ImageFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.seg.SyntheticVolumes;
import org.cnnj.seg.VolumeSegmenter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on 127.0.0.1 — a master and two workers, each its own JVM started from the build's
 * Spark home (target/spark) — and jobs submitted to it as a user submits them: spark-submit (its main class, run as
 * the spark-submit script runs it) with the cluster jar. One worker is killed with SIGKILL in the middle of a job:
 * the job still finishes, every image is there exactly once, nothing half-written, and the labels are those of an
 * undisturbed single-machine run. Runs after package (failsafe): it needs the cluster jar.
 */
class SparkClusterIT {
    static final int IMAGES = 24;

    @TempDir
    static Path dir;

    static StandaloneCluster cluster;
    static Path input, reference;

    /** The shipped 3-D model, by the relative path a user types in the repository. */
    static final Path MODEL_3D = Path.of("models/nuclei3d.onnx");

    @BeforeAll
    static void start() throws Exception {
        input = dir.resolve("in");
        Files.createDirectories(input);
        for (int k = 1; k <= IMAGES; k++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(100 + k, 256, 256);
            Tiffs.save(
                    new ImagePlus("n", new FloatProcessor(256, 256, s.image()).convertToShortProcessor(false)),
                    input.resolve(String.format("nuclei-%02d.tif", k)));
        }
        reference = dir.resolve("reference");
        FileCommands.Parsed p = FileCommands.parse("segment", args(reference));
        try (Batch.Worker w = p.opener().open(1, line -> {})) {
            Batch.run("segment", ImageFiles.list(input), true, reference, w);
        }
        cluster = StandaloneCluster.start(StandaloneCluster.sparkHome(), dir.resolve("cluster"), 2, 1, "2g");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    static String[] args(Path out) {
        return new String[] {
            "--model", "nuclei (built-in)", "--threads", "1", "--input", input.toString(), "--output", out.toString()
        };
    }

    /** The folder job on the cluster: {@code ./cnnj spark segment} over the input images, one partition each. */
    static Process submit(Path out, Path log, String... conf) throws IOException {
        List<String> job = new ArrayList<>(List.of("segment", "--partitions", Integer.toString(IMAGES)));
        job.addAll(List.of(args(out)));
        return submit(job, log, conf);
    }

    /** spark-submit as its script runs it: SparkSubmit's main with Spark's jars, in a JVM of its own. */
    static Process submit(List<String> job, Path log, String... conf) throws IOException {
        List<String> a = new ArrayList<>(List.of(
                "--master", cluster.url(),
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.executor.memory=1g",
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1"));
        for (String c : conf) a.addAll(List.of("--conf", c));
        a.addAll(List.of(
                "--class",
                SparkMain.class.getName(),
                SparkJvm.clusterJar().toAbsolutePath().toString()));
        a.addAll(job);
        return StandaloneCluster.java(
                StandaloneCluster.sparkHome(),
                log,
                List.of("-Xmx1g"),
                "org.apache.spark.deploy.SparkSubmit",
                a.toArray(String[]::new));
    }

    @Test
    void aJobSurvivesAKilledWorkerWithEveryImageOnceAndTheSameLabels() throws Exception {
        assertEquals(2, cluster.aliveWorkers());
        Path out = dir.resolve("out"), log = dir.resolve("submit.log");
        Process job = submit(out, log);
        // Kill a worker (and with it its executor) once the job is well under way.
        for (int i = 0; i < 600 && done(out) < 4 && job.isAlive(); i++) Thread.sleep(200);
        assertTrue(done(out) >= 4 && done(out) < IMAGES, "killed in the middle: " + done(out) + " done; " + tail(log));
        cluster.killWorker(0);
        assertTrue(job.waitFor(300, TimeUnit.SECONDS), "the job ended: " + tail(log));
        assertEquals(0, job.exitValue(), tail(log));

        assertEquals(IMAGES, done(out));
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) names.add(p.getFileName().toString());
        }
        assertTrue(
                names.stream().noneMatch(n -> n.startsWith(".") && !n.startsWith(".cnnj-spark-segment.lock")),
                "nothing half-written: " + names);
        for (int k = 1; k <= IMAGES; k++) {
            String n = String.format("nuclei-%02d", k);
            assertArrayEquals(
                    Files.readAllBytes(reference.resolve(n).resolve("labels.tif")),
                    Files.readAllBytes(out.resolve(n).resolve("labels.tif")),
                    n);
            try (Stream<Path> s = Files.list(out.resolve(n))) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")
                        || p.getFileName().toString().startsWith(".cnnj-staging")));
            }
        }
        List<String> images = Files.readAllLines(out.resolve("images.csv"));
        assertEquals(IMAGES + 1, images.size());
        assertTrue(images.stream().skip(1).allMatch(l -> l.contains(",done,")), images.toString());
        System.out.println("executors that did images: "
                + images.stream().skip(1).map(l -> l.split(",")[6]).distinct().toList());
    }

    @Test
    void aModelThatDoesNotFitTheExecutorsIsRefusedBeforeTheJob() throws Exception {
        Path log = dir.resolve("refused.log");
        Process job = submit(dir.resolve("refused"), log, "spark.executor.memoryOverhead=64m");
        assertTrue(job.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, job.exitValue(), tail(log));
        String text = Files.readString(log);
        assertTrue(
                text.contains("cnnj spark: the model") && text.contains("spark.executor.memoryOverhead="), tail(log));
        assertTrue(!Files.exists(dir.resolve("refused").resolve("nuclei-01")), "nothing started");
    }

    /**
     * One volume in 3-D blocks on the cluster, submitted as a user submits it ({@code segment-blocks} with the model's
     * path as typed, relative to the submitting folder): the same objects as the volume segmented whole here.
     */
    @Test
    void aVolumeInBlocksOnTheClusterHasTheObjectsOfTheWholeVolume() throws Exception {
        int d = 24, h = 128, w = 128;
        LabeledVolume v = SyntheticVolumes.generate(9, d, h, w, SyntheticVolumes.Settings.defaults());
        Path zarr = dir.resolve("volume.ome.zarr");
        ZarrArray a = OmeZarr.write(zarr, v.image()[0], new long[] {d, h, w}, new int[] {8, 64, 64}, v.zRatio(), "<u2");
        int[] size = {d, h, w};
        VolumeSegmenter s = VolumeSegmenter.open(MODEL_3D, EngineKind.ORT, Device.CPU, 0, line -> {});
        int[] whole;
        try {
            LabeledVolume read = new LabeledVolume(
                    "whole", new float[][] {a.read(new long[3], size)}, null, v.size(), v.voxel(), v.unit());
            whole = s.segment(read, VolumeSegmenter.Options.defaults().withDiameter(12), line -> {}, null)
                    .labels();
        } finally {
            s.engine().close();
        }
        Path out = dir.resolve("volume-out"), log = dir.resolve("volume.log");
        Process job = submit(
                List.of(
                        "segment-blocks",
                        "--model",
                        MODEL_3D.toString(),
                        "--input",
                        zarr.toString(),
                        "--output",
                        out.toString(),
                        "--block",
                        "64",
                        "--block-z",
                        "12",
                        "--chunk",
                        "64",
                        "--chunk-z",
                        "8",
                        "--diameter",
                        "12"),
                log);
        assertTrue(job.waitFor(300, TimeUnit.SECONDS), "the job ended: " + tail(log));
        assertEquals(0, job.exitValue(), tail(log));
        float[] blocks = OmeZarr.open(out.resolve("labels.zarr")).array().read(new long[3], size);
        int[] labels = new int[blocks.length];
        for (int i = 0; i < blocks.length; i++) labels[i] = (int) blocks[i];
        InstanceMatching.Result m = InstanceMatching.match(whole, labels, 0.5);
        System.out.println("volume in 8 blocks on the cluster vs whole: " + m);
        assertTrue(m.truePositives() > 20, m.toString());
        assertEquals(0, m.falsePositives() + m.falseNegatives(), m.toString());
        assertTrue(Files.readString(log).contains("3-D objects in 8 blocks"), tail(log));
    }

    private static long done(Path out) throws IOException {
        if (!Files.isDirectory(out)) return 0;
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> Files.exists(p.resolve(ImageJob.MARKER))).count();
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) return "(no log)";
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
