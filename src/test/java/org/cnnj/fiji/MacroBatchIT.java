package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cnnj.ij.LabelResults;
import org.cnnj.ij.RoiZips;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.Stacks;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.testing.ChildProcess;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The macros in macros/ run by plain ImageJ 1 in batch mode ({@code ImageJ -batch macro.ijm "args"}),
 * with the built CNN-J_ jar in an ImageJ plugins folder and its dependencies in plugins/jars: the
 * commands come from plugins.config, as in an ImageJ 1 install without Fiji. Plain ImageJ 1 builds its
 * menus even in batch mode, so it needs a display: a real one or Xvfb (xvfb-run); the test is skipped,
 * saying so, where neither exists. (Fiji's --headless mode needs none; see the README.)
 */
class MacroBatchIT {
    @TempDir
    static Path home;

    private static List<String> display;

    @BeforeAll
    static void installPlugin() throws IOException {
        display = System.getenv("DISPLAY") != null
                ? List.of()
                : Files.isExecutable(Path.of("/usr/bin/xvfb-run")) ? List.of("xvfb-run", "-a") : null;
        Assumptions.assumeTrue(
                display != null,
                "no display and no xvfb-run: plain ImageJ 1 cannot run plugin commands (apt-get install xvfb)");
        Path jars = Files.createDirectories(home.resolve("plugins/jars"));
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            Path jar = built.filter(p -> p.getFileName().toString().matches("CNN-J_-.*\\.jar")
                            && !p.toString().contains("sources"))
                    .findFirst()
                    .orElseThrow(() -> new IOException(
                            "no built CNN-J_ jar in target/; run mvn verify (the jar is made in package)"));
            Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));
        }
        try (Stream<Path> libs = Files.list(Path.of("target/lib"))) {
            for (Path lib : libs.filter(p -> !p.getFileName().toString().startsWith("ij-"))
                    .toList()) {
                Files.copy(lib, jars.resolve(lib.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Runs a macro from macros/ with an argument string; returns everything ImageJ printed. */
    private static String batch(String macro, String args) throws Exception {
        return batch(Path.of("macros", macro).toAbsolutePath(), args);
    }

    private static String batch(Path macro, String args) throws Exception {
        ChildProcess.Run run = batchRun(macro, args);
        assertTrue(run.finished(), "ImageJ did not finish: " + run.output());
        return run.output();
    }

    private static ChildProcess.Run batchRun(Path macro, String args) throws Exception {
        Path ij;
        try (Stream<Path> libs = Files.list(Path.of("target/lib"))) {
            ij = libs.filter(p -> p.getFileName().toString().startsWith("ij-"))
                    .findFirst()
                    .orElseThrow();
        }
        List<String> cmd = new ArrayList<>(display);
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                ij.toAbsolutePath().toString(),
                "ij.ImageJ",
                "-ijpath",
                home.toString(),
                "-batch",
                macro.toString(),
                args));
        return ChildProcess.run(cmd, null, 240);
    }

    private static String abs(String path) {
        return Path.of(path).toAbsolutePath().toString();
    }

    @Test
    void segmentFolderMacro() throws Exception {
        Path out = home.resolve("seg");
        String log = batch(
                "segment-folder.ijm",
                "model=[" + abs("models/nuclei.onnx") + "] input=[" + abs("test-images/nuclei-1.tif") + "] output=["
                        + out + "] device=cpu");
        assertTrue(log.contains("segmented nuclei-1.tif"), log);
        assertTrue(
                Files.size(out.resolve("labels.tif")) > 1000
                        && Files.readAllLines(out.resolve("results.csv")).size() > 150,
                log);
    }

    @Test
    void segmentStack3dMacro() throws Exception {
        Path out = home.resolve("seg3d");
        String log = batch(
                "segment-stack-3d.ijm",
                "input=[" + abs("test-images/stacks/nuclei3d-1.tif") + "] model=[" + abs("models/nuclei3d.onnx")
                        + "] output=[" + out + "]");
        assertTrue(log.contains("3-D objects in nuclei3d-1.tif"), log);
        ImagePlus labels = IJ.openImage(out.resolve("labels.tif").toString());
        assertEquals(24, labels.getNSlices(), log);
        int[] found = Stacks.labels(labels);
        int[] truth = Stacks.labels(IJ.openImage(abs("test-images/stacks/nuclei3d-1-labels.tif")));
        InstanceMatching.Result m = InstanceMatching.match(truth, found, 0.5);
        double ap = (double) m.truePositives() / (m.truePositives() + m.falsePositives() + m.falseNegatives());
        assertTrue(ap > 0.7, "3-D AP@0.5 of the shipped model on the held-out test stack: " + ap + "\n" + log);
        assertEquals(
                m.truePositives() + m.falsePositives() + 1,
                Files.readAllLines(out.resolve("results.csv")).size());
        assertTrue(RoiZips.read(out.resolve("rois.zip")).size() > 100, log); // one ROI per object per slice
    }

    @Test
    void detectFolderMacro() throws Exception {
        Path out = home.resolve("det");
        String log = batch(
                "detect-folder.ijm",
                "model=[" + abs("models/detector.onnx") + "] input=[" + abs("test-images/scenes") + "] output=[" + out
                        + "]");
        assertTrue(log.contains("detected "), log);
        for (String scene : List.of("scene-1", "scene-2")) {
            assertTrue(
                    Files.readAllLines(out.resolve(scene).resolve("detections.csv"))
                                    .size()
                            > 80,
                    log);
            assertTrue(
                    Files.exists(out.resolve(scene).resolve("rois.zip"))
                            && Files.exists(out.resolve(scene).resolve("overlay.tif")),
                    log);
        }
    }

    @Test
    void trainSegmentationMacro() throws Exception {
        Path pairs = Files.createDirectories(home.resolve("pairs"));
        Files.copy(Path.of("test-images/nuclei-1.tif"), pairs.resolve("a.tif"));
        Files.copy(Path.of("test-images/nuclei-1-labels.tif"), pairs.resolve("a-labels.tif"));
        Path model = home.resolve("models/seg.onnx");
        Files.createDirectories(model.getParent());
        String log = batch(
                "train-segmentation.ijm",
                "images=[" + pairs + "] output=[" + model + "] epochs=1 steps=2 patch=64 batch=2 depth=2 filters=4");
        assertTrue(log.contains("best validation AP@0.5"), log);
        assertTrue(Files.exists(model) && Files.exists(home.resolve("models/seg.json")), log);
    }

    @Test
    void trainThenDetectMacro() throws Exception {
        Path model = home.resolve("models/cells.onnx"), out = home.resolve("det2");
        Files.createDirectories(model.getParent());
        String log = batch(
                "train-then-detect.ijm",
                "images=[" + abs("test-images/scenes") + "] model=[" + model + "] input=["
                        + abs("test-images/scenes/scene-1.tif") + "] output=[" + out + "] epochs=1 steps=2 patch=64");
        assertTrue(log.contains("CNN-J: trained"), log);
        assertTrue(
                Files.exists(home.resolve("models/cells.head.onnx")) && Files.exists(out.resolve("detections.csv")),
                log);
    }

    @Test
    void trainThenClassifyMacro() throws Exception {
        Path model = home.resolve("models/phenotypes.onnx"), out = home.resolve("cls");
        Files.createDirectories(model.getParent());
        String log = batch(
                "train-then-classify.ijm",
                "images=[" + abs("test-images/cells") + "] model=[" + model + "] input=[" + abs("test-images/cells")
                        + "] output=[" + out + "] epochs=1 size=32 architecture=lenet5");
        assertTrue(log.contains("CNN-J: trained"), log);
        assertTrue(Files.exists(home.resolve("models/phenotypes.dense.onnx")), log);
        assertEquals(49, Files.readAllLines(out.resolve("classes.csv")).size(), log);
        assertTrue(Files.exists(out.resolve("confusion.csv")), "class subfolders are scored: " + log);
    }

    @Test
    void classifyRoisMacro() throws Exception {
        Path out = home.resolve("cls-rois"), zip = home.resolve("nuclei-1.zip");
        ImagePlus labels = IJ.openImage(abs("test-images/nuclei-1-labels.tif"));
        int[] ids = new int[labels.getWidth() * labels.getHeight()];
        for (int i = 0; i < ids.length; i++)
            ids[i] = (int) labels.getProcessor().getf(i);
        RoiZips.write(LabelResults.rois(ids, labels.getWidth(), labels.getHeight(), 0), zip);
        String log = batch(
                "classify-rois.ijm",
                "image=[" + abs("test-images/nuclei-1.tif") + "] rois=[" + zip + "] output=[" + out + "]");
        assertTrue(log.contains("CNN-J: classified the ROIs of nuclei-1.tif"), log);
        List<String> rows = Files.readAllLines(out.resolve("classes.csv"));
        assertTrue(rows.size() > 20 && rows.get(0).startsWith("image,roi,class,probability"), log);
        assertTrue(Files.size(out.resolve("rois.zip")) > 1000, log);
    }

    @Test
    void misspeltKeyIsNamedAndNothingIsWritten() throws Exception {
        Path out = home.resolve("typo");
        ChildProcess.Run run = batchRun(
                Path.of("macros", "segment-folder.ijm").toAbsolutePath(),
                "modle=[" + abs("models/nuclei.onnx") + "] input=[" + abs("test-images/nuclei-1.tif") + "] output=["
                        + out + "]");
        String log = run.output();
        assertTrue(log.contains("unknown option \"modle\"") && log.contains("model"), log);
        assertEquals(1, run.exitCode(), "a failed CNN-J step fails the batch run: " + log);
        assertTrue(log.contains("(batch run stopped, exit code 1)"), log);
        assertEquals(false, Files.exists(out.resolve("labels.tif")));
    }

    /**
     * The line ImageJ's Recorder wrote for Segment Image... after OK in its dialog (checked by eye under
     * Xvfb, src/site/make-dialog-screenshots.sh, and by CommandDialogTest for every label), replayed in
     * -batch: the same labels as the command line gives for the same image and model.
     */
    @Test
    void theRecordedDialogLineReplaysToTheSameResult() throws Exception {
        Path out = home.resolve("replay"), cli = home.resolve("cli");
        Path macro = home.resolve("recorded.ijm");
        Files.writeString(
                macro,
                "open(\"" + abs("test-images/nuclei-1.tif") + "\");\n"
                        + "run(\"Segment Image...\", \"image=nuclei-1.tif model=[nuclei (built-in)] engine=ort device=cpu diameter=auto output=["
                        + out + "]\");\n");
        String log = batch(macro, "");
        assertTrue(Files.exists(out.resolve("labels.tif")), log);
        SegmentFiles.segment(
                SegmentFiles.Options.of(Path.of(BuiltInModels.NUCLEI), Path.of("test-images/nuclei-1.tif"), cli)
                        .withEngine(EngineKind.ORT, Device.CPU, 0));
        Assertions.assertArrayEquals(
                Files.readAllLines(cli.resolve("results.csv")).toArray(),
                Files.readAllLines(out.resolve("results.csv")).toArray(),
                log);
    }

    /** Running Segment Image... twice: the ROI Manager holds one run's ROIs (replace), and the input is segmented both times. */
    @Test
    void segmentingTwiceReplacesTheRoisAndSegmentsTheInputAgain() throws Exception {
        Path report = home.resolve("twice.txt"), macro = home.resolve("twice.ijm");
        String run = "run(\"Segment Image...\", \"model=[nuclei (built-in)] device=cpu diameter=none\");\n";
        // Windows on (not batch mode): the ROI Manager and the "current image" are the ones a user has.
        Files.writeString(
                macro,
                "setBatchMode(false);\nopen(\"" + abs("test-images/nuclei-1.tif") + "\");\n" + run
                        + "first = roiManager(\"count\");\n" + run
                        + "File.saveString(first + \" \" + roiManager(\"count\") + \" \" + getTitle(), \"" + report
                        + "\");\n");
        String log = batch(macro, "");
        String[] r = Files.readString(report).trim().split(" ");
        assertTrue(Integer.parseInt(r[0]) > 100, "ROIs after the first run: " + r[0] + "\n" + log);
        assertEquals(r[0], r[1], "the second run replaced the first run's ROIs");
        assertEquals(
                "nuclei-1.tif",
                r[2],
                "the input stays the current image, so the second run segmented it again (not its labels)");
    }

    /** A macro written with a 0.1 label ("Segment...", now Segmentation › Segment Folder...) still runs, with the same result. */
    @Test
    void anOldMenuLabelStillRunsTheRenamedCommand() throws Exception {
        Path older = home.resolve("old-label"), newer = home.resolve("new-label"), macro = home.resolve("old.ijm");
        String options =
                "model=[nuclei (built-in)] input=[" + abs("test-images/nuclei-1.tif") + "] device=cpu output=[";
        Files.writeString(
                macro,
                "run(\"Segment...\", \"" + options + older + "]\");\nrun(\"Segment Folder...\", \"" + options + newer
                        + "]\");\n");
        String log = batch(macro, "");
        assertTrue(Files.exists(older.resolve("results.csv")), log);
        Assertions.assertArrayEquals(
                Files.readAllLines(newer.resolve("results.csv")).toArray(),
                Files.readAllLines(older.resolve("results.csv")).toArray(),
                log);
    }
}
