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
import org.cnnj.seg.SyntheticNuclei;
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

    /** spark-submit as its script runs it: SparkSubmit's main with Spark's jars, in a JVM of its own. */
    static Process submit(Path out, Path log, String... conf) throws IOException {
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
                SparkJvm.clusterJar().toAbsolutePath().toString(),
                "segment",
                "--partitions",
                Integer.toString(IMAGES)));
        a.addAll(List.of(args(out)));
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
