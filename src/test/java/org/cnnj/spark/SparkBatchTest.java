package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cnnj.cli.FileCommands;
import org.cnnj.ij.ClassifyFiles;
import org.cnnj.ij.Tiffs;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Batch;
import org.cnnj.io.ImageFiles;
import org.cnnj.seg.SyntheticNuclei;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark batch in local mode (Spark embedded in this JVM, as ./cnnj spark runs it by default): the same per-image
 * outputs as the single-machine command, byte for byte; a corrupt image reported and the job finished; tables for the
 * whole run readable back by Spark; a restart that redoes only what is missing; two attempts at one image leaving one
 * folder. The standalone cluster, spark-submit and a killed worker are SparkClusterIT's.
 */
class SparkBatchTest {
    static final String MODEL = "nuclei (built-in)";
    static final Map<String, String> QUIET = Map.of("spark.ui.enabled", "false");

    @TempDir
    static Path dir;

    static Path input;

    @BeforeAll
    static void images() throws IOException {
        input = dir.resolve("in");
        Files.createDirectories(input);
        for (int k = 1; k <= 5; k++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(k, 128, 128);
            Tiffs.save(
                    new ImagePlus("n", new FloatProcessor(128, 128, s.image()).convertToShortProcessor(false)),
                    input.resolve("nuclei-" + k + ".tif"));
        }
        byte[] good = Files.readAllBytes(input.resolve("nuclei-1.tif"));
        Files.write(input.resolve("broken.tif"), Arrays.copyOf(good, 2000));
    }

    static String[] args(Path in, Path out) {
        return new String[] {"--model", MODEL, "--threads", "2", "--input", in.toString(), "--output", out.toString()};
    }

    static SparkBatch.Outcome spark(Path in, Path out) throws IOException {
        return SparkBatch.run("segment", args(in, out), new SparkBatch.Settings("local[2]", 0, QUIET));
    }

    @Test
    void segmentsAFolderAsTheSingleMachineCommandDoesAndReportsTheCorruptImage() throws Exception {
        Path single = dir.resolve("single"), out = dir.resolve("spark");
        FileCommands.Parsed p = FileCommands.parse("segment", args(input, single));
        try (Batch.Worker w = p.opener().open(2, line -> {})) {
            assertThrows(Batch.Failed.class, () -> Batch.run("segment", ImageFiles.list(input), true, single, w));
        }
        SparkBatch.Outcome o = spark(input, out);

        assertEquals(6, o.rows().size());
        assertEquals(1, o.failed());
        ImageRow broken = o.rows().stream()
                .filter(r -> r.folder().equals("broken"))
                .findFirst()
                .orElseThrow();
        assertEquals(ImageRow.FAILED, broken.status());
        assertTrue(broken.message().contains("truncated"), broken.message());
        assertTrue(!Files.exists(out.resolve("broken")), "no folder for the failed image");
        int objects = 0;
        for (int k = 1; k <= 5; k++) {
            Path a = single.resolve("nuclei-" + k), b = out.resolve("nuclei-" + k);
            for (String f : List.of("labels.tif", "results.csv", "objects.geojson"))
                assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), k + "/" + f);
            assertEquals(zipEntries(a.resolve("rois.zip")), zipEntries(b.resolve("rois.zip"))); // times differ
            objects += Files.readAllLines(b.resolve("results.csv")).size() - 1;
        }
        assertTrue(objects > 50, "objects: " + objects);
        assertEquals(List.of(), partials(out));

        // One table for the run: every object of every image, in CSV and in Parquet that Spark reads back.
        List<String> table = Files.readAllLines(out.resolve("objects.csv"));
        assertEquals("image,position,label,area_px2,centroid_x_px,centroid_y_px,mean_intensity", table.get(0));
        assertEquals(objects, table.size() - 1);
        List<String> images = Files.readAllLines(out.resolve("images.csv"));
        assertEquals(7, images.size());
        assertTrue(images.stream().anyMatch(l -> l.contains("broken,failed")), images.toString());
        try (SparkSession s = SparkSession.builder()
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .getOrCreate()) {
            // The same rows in both formats, value for value (Parquet written without Spark SQL, read by it).
            assertEquals(sorted(table.subList(1, table.size())), csvLines(s, out.resolve("objects.parquet")));
            assertEquals(sorted(images.subList(1, images.size())), csvLines(s, out.resolve("images.parquet")));
            assertEquals(
                    5,
                    s.read()
                            .parquet(out.resolve("images.parquet").toString())
                            .where("status = 'done'")
                            .count());
        }
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }

    /** A Parquet table's rows as the CSV writes them, sorted. */
    private static List<String> csvLines(SparkSession s, Path parquet) {
        List<String> lines = new ArrayList<>();
        for (Row r : s.read().parquet(parquet.toString()).collectAsList()) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) cells.add(Csv.quote(r.isNullAt(i) ? "" : String.valueOf(r.get(i))));
            lines.add(String.join(",", cells));
        }
        return sorted(lines);
    }

    /** Detection the same way: per image what ./cnnj detect writes, and every box in the run's table. */
    @Test
    void detectsInAFolderAsTheSingleMachineCommandDoes() throws Exception {
        Path in = Path.of("test-images/scenes"), single = dir.resolve("det-single"), out = dir.resolve("det-spark");
        String[] args = {"--model", "cell shapes (built-in)", "--threads", "2", "--input", in.toString(), "--output"};
        FileCommands.Parsed p = FileCommands.parse("detect", append(args, single.toString()));
        try (Batch.Worker w = p.opener().open(2, line -> {})) {
            Batch.run("detect", ImageFiles.list(in), true, single, w);
        }
        SparkBatch.Outcome o =
                SparkBatch.run("detect", append(args, out.toString()), new SparkBatch.Settings("local[2]", 0, QUIET));
        assertEquals(0, o.failed());
        int boxes = 0;
        for (String scene : List.of("scene-1", "scene-2")) {
            List<String> a = Files.readAllLines(single.resolve(scene).resolve("detections.csv")),
                    b = Files.readAllLines(out.resolve(scene).resolve("detections.csv"));
            assertEquals(a, b, scene);
            boxes += b.size() - 1;
        }
        assertTrue(boxes > 20, "boxes: " + boxes);
        List<String> table = Files.readAllLines(out.resolve("objects.csv"));
        assertEquals("image,position,class,score,x,y,width,height", table.get(0));
        assertEquals(boxes, table.size() - 1);
    }

    /** Z-stacks with a 3-D model the same way: per stack what ./cnnj segment writes, and every object in the run's table. */
    @Test
    void segmentsStacksWithA3dModelAsTheSingleMachineCommandDoes() throws Exception {
        Path in = Files.createDirectories(dir.resolve("stacks"));
        Files.copy(Path.of("test-images/stacks/nuclei3d-1.tif"), in.resolve("nuclei3d-1.tif"));
        Path single = dir.resolve("3d-single"), out = dir.resolve("3d-spark");
        String[] args = {
            "--model",
            "models/nuclei3d.onnx",
            "--threads",
            "2",
            "--diameter",
            "none",
            "--input",
            in.toString(),
            "--output"
        };
        FileCommands.Parsed p = FileCommands.parse("segment", append(args, single.toString()));
        try (Batch.Worker w = p.opener().open(2, line -> {})) {
            Batch.run("segment", ImageFiles.list(in), true, single, w);
        }
        SparkBatch.Outcome o =
                SparkBatch.run("segment", append(args, out.toString()), new SparkBatch.Settings("local[1]", 0, QUIET));
        assertEquals(0, o.failed());
        List<String> a = Files.readAllLines(single.resolve("nuclei3d-1/results.csv")),
                b = Files.readAllLines(out.resolve("nuclei3d-1/results.csv"));
        assertEquals(a, b);
        assertTrue(b.size() > 20, "3-D objects: " + (b.size() - 1));
        assertArrayEquals(
                Files.readAllBytes(single.resolve("nuclei3d-1/labels.tif")),
                Files.readAllBytes(out.resolve("nuclei3d-1/labels.tif")));
        assertEquals(
                b.size() - 1, Files.readAllLines(out.resolve("objects.csv")).size() - 1);
    }

    /** Classification the same way: each image's row of ./cnnj classify's table, in its own folder and the run's. */
    @Test
    void classifiesAFolderAsTheSingleMachineCommandDoes() throws Exception {
        Path in = Path.of("test-images/cells/mitotic"), single = dir.resolve("cls-single"), out = dir.resolve("cls");
        String[] args = {"--model", "models/cells.onnx", "--threads", "2", "--input", in.toString(), "--output"};
        ClassifyFiles.classify(ClassifyFiles.Options.of(Path.of("models/cells.onnx"), in, single), line -> {});
        SparkBatch.Outcome o =
                SparkBatch.run("classify", append(args, out.toString()), new SparkBatch.Settings("local[2]", 0, QUIET));
        assertEquals(0, o.failed());
        List<String> rows = Files.readAllLines(single.resolve("classes.csv"));
        assertTrue(rows.size() > 5, "crops: " + rows);
        for (String row : rows.subList(1, rows.size())) {
            String file = row.substring(0, row.indexOf(','));
            List<String> own = Files.readAllLines(
                    out.resolve(ImageFiles.baseName(Path.of(file))).resolve("classes.csv"));
            assertEquals(List.of(rows.get(0), row), own, file);
        }
        assertEquals(
                rows.size() - 1, Files.readAllLines(out.resolve("objects.csv")).size() - 1);
    }

    private static String[] append(String[] a, String last) {
        String[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = last;
        return r;
    }

    @Test
    void aRestartRedoesOnlyWhatIsMissing() throws Exception {
        Path in = dir.resolve("restart-in"), out = dir.resolve("restart");
        Files.createDirectories(in);
        for (int k = 1; k <= 3; k++)
            Files.copy(input.resolve("nuclei-" + k + ".tif"), in.resolve("nuclei-" + k + ".tif"));
        SparkBatch.Outcome first = spark(in, out);
        byte[] labels = Files.readAllBytes(out.resolve("nuclei-2/labels.tif"));
        AtomicFiles.deleteTree(out.resolve("nuclei-2"));
        // A killed task's partial folder, as a crash leaves it:
        Files.createDirectories(out.resolve(ImageJob.PARTIAL + "nuclei-3-x"));
        SparkBatch.Outcome second = spark(in, out);

        Set<String> runs = new TreeSet<>();
        for (ImageRow r : second.rows())
            runs.add(r.folder() + "=" + (r.run().equals(first.rows().get(0).run()) ? "first" : "second"));
        assertEquals(Set.of("nuclei-1=first", "nuclei-2=second", "nuclei-3=first"), runs);
        assertArrayEquals(labels, Files.readAllBytes(out.resolve("nuclei-2/labels.tif")));
        assertEquals(List.of(), partials(out));
        assertEquals(
                Files.readAllLines(out.resolve("objects.csv")).size() - 1,
                second.rows().stream().mapToInt(ImageRow::objects).sum());
    }

    @Test
    void anImageThatFailsWhileItsExecutorEndsIsRunAgainNotReportedBad() throws Exception {
        Path out = dir.resolve("ending");
        Files.createDirectories(out);
        ImageJob job = new ImageJob("segment", args(input, out), out.toString(), "r1", 1);
        String missing = input.resolve("no-such-image.tif").toString();
        assertEquals(ImageRow.FAILED, job.process(missing).status(), "a bad image is a row of its own");
        ExecutorWorkers.closing(true);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> job.process(missing));
            assertTrue(e.getMessage().contains("run again"), e.getMessage());
        } finally {
            ExecutorWorkers.closing(false);
        }
        assertEquals(List.of(), partials(out));
    }

    @Test
    void twoAttemptsAtOneImageLeaveOneCompleteFolder() throws Exception {
        Path out = dir.resolve("race");
        Files.createDirectories(out);
        ImageJob job = new ImageJob("segment", args(input, out), out.toString(), "r1", 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<ImageRow>> attempts = new ArrayList<>();
            for (int i = 0; i < 2; i++)
                attempts.add(pool.submit(
                        () -> job.process(input.resolve("nuclei-4.tif").toString())));
            for (Future<ImageRow> a : attempts)
                assertEquals(ImageRow.DONE, a.get().status());
        } finally {
            pool.shutdown();
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(
                    List.of("nuclei-4"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertTrue(Files.exists(out.resolve("nuclei-4/labels.tif")));
        assertTrue(Files.exists(out.resolve("nuclei-4/" + ImageJob.MARKER)));
    }

    @Test
    void inputsAsAListFileOrAGlob() throws Exception {
        Path list = dir.resolve("list.txt");
        Files.writeString(list, "# two of them\nin/nuclei-2.tif\n\nin/nuclei-5.tif\n");
        assertEquals(
                List.of(input.resolve("nuclei-2.tif"), input.resolve("nuclei-5.tif")), ImageList.of(list.toString()));
        assertEquals(5, ImageList.of(input + "/nuclei-*.tif").size());
        Files.writeString(input.resolve("nuclei-1-labels.tif"), "a label image, left out as in a folder");
        assertEquals(5, ImageList.of(input + "/nuclei-*.tif").size());
        Files.delete(input.resolve("nuclei-1-labels.tif"));
        assertEquals(
                6,
                ImageList.of(dir + "/**/in/*.tif").size()
                        + ImageList.of(input + "/b*.tif").size()
                        - 1);
        Files.writeString(list, "in/nuclei-9.tif\n");
        IOException missing = assertThrows(IOException.class, () -> ImageList.of(list.toString()));
        assertTrue(
                missing.getMessage().contains("line 1") && missing.getMessage().contains("nuclei-9.tif"));
        IOException none = assertThrows(IOException.class, () -> ImageList.of(input + "/*.png"));
        assertTrue(none.getMessage().contains("no files match"), none.getMessage());
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.copy(input.resolve("nuclei-1.tif"), other.resolve("nuclei-1.tif"));
        Files.writeString(list, "in/nuclei-1.tif\nother/nuclei-1.tif\n");
        IOException twice = assertThrows(IOException.class, () -> ImageList.of(list.toString()));
        assertTrue(twice.getMessage().contains("would both write"), twice.getMessage());
    }

    @Test
    void refusesAnOutputFolderItDidNotWrite() throws Exception {
        Path out = dir.resolve("foreign");
        Files.createDirectories(out.resolve("nuclei-1"));
        Files.writeString(out.resolve("nuclei-1/notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> spark(input, out));
        assertTrue(e.getMessage().contains("not written by a Spark run"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("nuclei-1/notes.txt")));
    }

    @Test
    void aModelTooLargeForTheExecutorsIsRefusedWithTheNumbers() {
        IOException e = assertThrows(
                IOException.class, () -> ExecutorMemory.check("big.onnx", 700L << 20, 4L << 30, 384L << 20));
        assertTrue(
                e.getMessage().contains("big.onnx")
                        && e.getMessage().contains("700 MB")
                        && e.getMessage().contains("spark.executor.memoryOverhead=1"),
                e.getMessage());
        IOException heap =
                assertThrows(IOException.class, () -> ExecutorMemory.check("m.onnx", 10L << 20, 256L << 20, 1L << 30));
        assertTrue(heap.getMessage().contains("spark.executor.memory=2g"), heap.getMessage());
        assertDoesNotThrow(() -> ExecutorMemory.check("m.onnx", 50L << 20, 2L << 30, 512L << 20));
    }

    @Test
    void threadsAndPartitions() {
        assertEquals(3, SparkBatch.slots(new SparkConf().setMaster("local[3]")));
        assertEquals(
                Runtime.getRuntime().availableProcessors(), SparkBatch.slots(new SparkConf().setMaster("local[*]")));
        assertEquals(1, SparkBatch.slots(new SparkConf().setMaster("local")));
        assertEquals(0, SparkBatch.slots(new SparkConf().setMaster("spark://h:7077")));
        assertEquals(
                2, SparkBatch.slots(new SparkConf().setMaster("spark://h:7077").set("spark.executor.cores", "2")));
        assertEquals(8, SparkBatch.partitions(8, 2)); // at least 4 per core, at most one per image
        assertEquals(25, SparkBatch.partitions(500, 2)); // about 20 images each
        assertEquals(3, SparkBatch.partitions(3, 2));
        assertEquals(400, SparkBatch.partitions(1000, 100));
        assertEquals(50_000, SparkBatch.partitions(1_000_000, 100));
    }

    /** Each entry's name and bytes (a zip also holds the time it was written). */
    private static Map<String, String> zipEntries(Path zip) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; )
                entries.put(e.getName(), Base64.getEncoder().encodeToString(in.readAllBytes()));
        }
        return entries;
    }

    private static List<Path> partials(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".cnnj-partial")
                            || p.getFileName().toString().contains(".tmp"))
                    .toList();
        }
    }
}
