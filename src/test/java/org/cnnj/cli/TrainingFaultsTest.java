package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cnnj.ij.Tiffs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training interrupted by a signal (in a child JVM, as a user's Ctrl-C or kill) keeps its work. */
class TrainingFaultsTest {
    @TempDir
    Path dir;

    @Test
    void aSignalStopsTrainingWithTheBestModelExportedAndTheResumeCommandPrinted() throws Exception {
        Path model = dir.resolve("m.onnx");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "org.cnnj.cli.Main",
                "train-seg",
                "--images",
                "test-images",
                "--output",
                model.toString(),
                "--epochs",
                "200",
                "--steps",
                "3",
                "--patch",
                "64",
                "--depth",
                "2",
                "--filters",
                "4",
                "--validation",
                "0.5"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean signalled = false;
            long t0 = System.nanoTime();
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (!signalled && line.startsWith("epoch 2/")) {
                    // SIGTERM (kill): the JVM's shutdown path, as for Ctrl-C's SIGINT. Process.destroy would also close
                    // our end of the pipe.
                    new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid()))
                            .inheritIO()
                            .start()
                            .waitFor();
                    signalled = true;
                }
                if (System.nanoTime() - t0 > 120e9) break;
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the JVM ends after exporting");
        String out = String.join("\n", lines);
        assertTrue(out.contains("interrupted: stopping at the next step"), out);
        assertTrue(out.contains("to continue this training: ./cnnj train-seg") && out.contains("--resume"), out);
        assertTrue(
                Files.size(model) > 1000 && Files.exists(dir.resolve("m.json")), "the best model is exported: " + out);
        assertTrue(out.contains("(cancelled; best model kept)"), out);
        assertTrue(
                Files.readString(dir.resolve("m.json")).contains("\"splitDepth\": 0.0"),
                "no split-depth search after a cancel (it would delay the export)");
        assertTrue(Files.exists(dir.resolve("m-checkpoints/last.ckpt")));
        List<String> csv = Files.readAllLines(dir.resolve("m-training.csv"));
        assertTrue(csv.size() >= 3 && csv.get(1).startsWith("1,"), "the log has the epochs run: " + csv);

        // Resuming keeps the earlier rows of the log and adds the new epochs after them.
        TrainSegCommand.run(new String[] {
            "--images",
            "test-images",
            "--output",
            model.toString(),
            "--epochs",
            String.valueOf(csv.size()),
            "--steps",
            "3",
            "--patch",
            "64",
            "--depth",
            "2",
            "--filters",
            "4",
            "--validation",
            "0.5",
            "--resume"
        });
        List<String> resumed = Files.readAllLines(dir.resolve("m-training.csv"));
        assertEquals(csv.subList(0, csv.size()), resumed.subList(0, csv.size()), "earlier epochs kept");
        assertEquals(csv.size() + 1, resumed.size(), "one more epoch after the resume");
    }

    @Test
    void anImageTooLargeForTheHeapIsRefusedAtOnceWithTheMemoryItNeeds() throws Exception {
        Path big = dir.resolve("big.tif");
        Tiffs.save(new ImagePlus("big", new ByteProcessor(4096, 4096)), big);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx200m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.cnnj.cli.Main",
                        "segment",
                        "--model",
                        "models/nuclei.onnx",
                        "--input",
                        big.toString(),
                        "--output",
                        dir.resolve("out").toString(),
                        "--diameter",
                        "none")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("big.tif: 4096 x 4096 px need about") && out.contains("-Xmx"), out);
        assertTrue(!out.contains("OutOfMemoryError") && !out.contains("\tat "), "no stack trace: " + out);
        assertTrue(Files.notExists(dir.resolve("out/labels.tif")));
    }

    /**
     * An image whose whole-image maps do not fit the heap but whose bands do: segmented in bands instead of
     * refused, saying so; 8 x 16 copies of a test image give 128 times its objects.
     */
    @Test
    void anImageWhoseMapsDoNotFitTheHeapIsSegmentedInBands() throws Exception {
        ImageProcessor one = Tiffs.open(Path.of("test-images/nuclei-1.tif")).getProcessor();
        ImageProcessor big = one.createProcessor(one.getWidth() * 8, one.getHeight() * 16);
        for (int ty = 0; ty < 16; ty++)
            for (int tx = 0; tx < 8; tx++) big.insert(one, tx * one.getWidth(), ty * one.getHeight());
        Path file = dir.resolve("tiled.tif"), out = dir.resolve("tiled-out"), single = dir.resolve("one-out");
        Tiffs.save(new ImagePlus("tiled", big), file);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx400m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.cnnj.cli.Main",
                        "segment",
                        "--model",
                        "models/nuclei.onnx",
                        "--input",
                        file.toString(),
                        "--output",
                        out.toString(),
                        "--diameter",
                        "none",
                        "--tile",
                        "512")
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("segmenting it in bands of"), log);
        SegmentCommand.run(new String[] {
            "--model",
            "models/nuclei.onnx",
            "--input",
            "test-images/nuclei-1.tif",
            "--output",
            single.toString(),
            "--diameter",
            "none"
        });
        long objects = Files.readAllLines(out.resolve("results.csv")).size() - 1,
                perCopy = Files.readAllLines(single.resolve("results.csv")).size() - 1;
        // Copies meet edge to edge, so nuclei cut by a copy's border join their neighbours': a little under 128 x.
        assertTrue(
                objects > 115 * perCopy && objects <= 128 * perCopy, objects + " objects for " + perCopy + " per copy");
    }
}
