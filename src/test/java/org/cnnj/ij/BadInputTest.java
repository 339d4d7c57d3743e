package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.data.Percentiles;
import org.cnnj.io.Batch;
import org.cnnj.io.Staging;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.LabeledImage;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and bad pixels: refused with the file named, or handled and said, never a silently wrong result. */
class BadInputTest {
    private static final Path MODEL = Path.of("models/nuclei.onnx");

    @TempDir
    Path dir;

    /** A bioimage.io package given to Detect or Classify says what it is and where it runs, not "no sidecar". */
    @Test
    void aPackageGivenToDetectOrClassifySaysItIsASegmentationModel() throws Exception {
        Path yaml = org.cnnj.seg.BioimageIoPackagesTest.fixedPackage(
                dir.resolve("pkg"), org.cnnj.seg.BioimageIoPackagesTest.FIXED_05, "bioimageio.yaml");
        for (Path model : List.of(yaml, yaml.getParent())) {
            var det = assertThrows(
                    IllegalArgumentException.class,
                    () -> DetectFiles.detect(DetectFiles.Options.of(model, Path.of("test-images/nuclei-1.tif"), dir)));
            assertTrue(
                    det.getMessage().contains("bioimage.io package")
                            && det.getMessage().contains("segment"),
                    det.getMessage());
            var cls = assertThrows(
                    IllegalArgumentException.class,
                    () -> ClassifyFiles.classify(
                            ClassifyFiles.Options.of(model, Path.of("test-images/nuclei-1.tif"), dir), line -> {}));
            assertTrue(cls.getMessage().contains("not a classifier"), cls.getMessage());
        }
    }

    @Test
    void truncatedTiffIsRefusedNamingTheFile() throws Exception {
        Path good = dir.resolve("good.tif");
        Tiffs.save(Tiffs.open(Path.of("test-images/nuclei-1.tif")), good);
        Path cut = dir.resolve("cut.tif");
        byte[] bytes = Files.readAllBytes(good);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        Tiffs.open(good); // the whole file opens
        IOException e = assertThrows(IOException.class, () -> Tiffs.open(cut));
        assertTrue(
                e.getMessage().contains("cut.tif is truncated")
                        && e.getMessage().contains("copy or download it again"),
                e.getMessage());
    }

    @Test
    void truncatedCompressedTiffIsRefusedToo() throws Exception {
        Path real = Path.of("../shared/data/nuclei-real/val");
        Assumptions.assumeTrue(Files.isDirectory(real), "skipped: ../shared/data/nuclei-real is not here");
        Path any;
        try (var s = Files.list(real)) {
            any = s.filter(p -> p.toString().endsWith("-labels.tif"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        Tiffs.open(any);
        byte[] bytes = Files.readAllBytes(any);
        Path cut = dir.resolve("cut-deflate.tif");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 200));
        assertThrows(IOException.class, () -> Tiffs.open(cut));
    }

    @Test
    void moreThan65535ObjectsAreWritten32BitWithEveryIdKept() {
        int w = 400, h = 200; // 80,000 one-pixel objects
        int[] labels = new int[w * h];
        for (int i = 0; i < labels.length; i++) labels[i] = i + 1;
        ImageProcessor ip = SegmentFiles.labelProcessor(labels, w, h, labels.length, "big");
        assertInstanceOf(FloatProcessor.class, ip);
        for (int i = 0; i < labels.length; i += 997) assertEquals(labels[i], (int) ip.getf(i));
        assertEquals(80_000, (int) ip.getf(labels.length - 1));
        assertInstanceOf(
                ShortProcessor.class, SegmentFiles.labelProcessor(new int[] {0, 65_535}, 2, 1, 65_535, "small"));
    }

    @Test
    void nonFinitePixelsAreIgnoredByTheNormalizationAndReported() {
        float[] v = new float[10_000];
        for (int i = 0; i < v.length; i++) v[i] = i % 100;
        float[] bad = v.clone();
        for (int i = 0; i < bad.length; i += 50) bad[i] = i % 100 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
        Percentiles clean = Percentiles.of(v, 1, 99.8), dirty = Percentiles.of(bad, 1, 99.8);
        assertEquals(clean.high(), dirty.high(), 1f, "infinite pixels do not set the top");
        float[] n = dirty.apply(bad);
        for (float x : n) assertTrue(Float.isFinite(x));
        assertEquals(0f, n[0]);
        List<String> problems = dirty.problems(bad);
        assertTrue(problems.get(0).startsWith("200 pixel(s) are NaN or infinite"), problems.toString());
        assertTrue(clean.problems(v).isEmpty());
        // Hot pixels: 0.5% at a huge value squash everything else into the bottom of the range.
        float[] hot = v.clone();
        for (int i = 0; i < hot.length; i += 200) hot[i] = 1e6f;
        assertTrue(Percentiles.of(hot, 1, 99.8).problems(hot).stream().anyMatch(p -> p.contains("hot pixels")));
    }

    @Test
    void aSegmentedImageWithNaNPixelsStillGivesItsObjects() throws Exception {
        ImagePlus img = Tiffs.open(Path.of("test-images/nuclei-1.tif"));
        FloatProcessor fp = img.getProcessor().convertToFloatProcessor();
        Path clean = dir.resolve("clean.tif"), dirty = dir.resolve("dirty.tif");
        Tiffs.save(new ImagePlus("clean", fp.duplicate()), clean);
        float[] px = (float[]) fp.getPixels();
        for (int i = 0; i < px.length; i += 173) px[i] = Float.NaN; // 0.6% NaN
        Tiffs.save(new ImagePlus("dirty", fp), dirty);
        SegmentFiles.segment(
                SegmentFiles.Options.of(MODEL, clean, dir.resolve("a")).withEngine(EngineKind.ORT, Device.CPU, 0));
        SegmentFiles.segment(
                SegmentFiles.Options.of(MODEL, dirty, dir.resolve("b")).withEngine(EngineKind.ORT, Device.CPU, 0));
        int a = Files.readAllLines(dir.resolve("a/results.csv")).size(),
                b = Files.readAllLines(dir.resolve("b/results.csv")).size();
        assertTrue(a > 50 && Math.abs(a - b) <= 0.05 * a, "objects with and without NaN pixels: " + a + " vs " + b);
    }

    @Test
    void sidecarsThatDoNotFitTheirModelAreRefusedNamingTheFix() throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.copy(MODEL, model);
        String json = Files.readString(Sidecars.of(MODEL));
        Files.writeString(dir.resolve("m.json"), json.replaceFirst("\"inputChannels\": 1", "\"inputChannels\": 2"));
        var e = assertThrows(IllegalArgumentException.class, () -> SegmentationModel.resolve(model));
        assertTrue(e.getMessage().contains("m.json says the model takes 2 channel(s)"), e.getMessage());
        Files.writeString(dir.resolve("m.json"), json.replaceFirst("\"normalization\"", "\"normalisation\""));
        IOException r = assertThrows(IOException.class, () -> SegmentationModel.resolve(model));
        assertTrue(r.getMessage().contains("m.json: model sidecar: normalization is missing"), r.getMessage());
        Files.writeString(
                dir.resolve("m.json"), json.replaceFirst("\"method\": \"percentile\"", "\"method\": \"zscore\""));
        r = assertThrows(IOException.class, () -> SegmentationModel.resolve(model));
        assertTrue(r.getMessage().contains("must be \"percentile\" or \"none\""), r.getMessage());
        Files.writeString(
                dir.resolve("m.json"),
                json.replaceFirst(
                        "\"halo\": 128,",
                        "\"halo\": 128, \"architecture\": {\"inChannels\": 1, \"classes\": 4, \"depth\": \"four\","
                                + " \"baseFilters\": 16, \"batchNorm\": true},"));
        r = assertThrows(IOException.class, () -> SegmentationModel.resolve(model));
        assertTrue(
                r.getMessage().contains("m.json: architecture.depth must be a number, not \"four\""), r.getMessage());
        Files.writeString(
                dir.resolve("m.json"),
                json.replaceFirst("\"task\": \"instances-distance\"", "\"task\": \"semantic\"")
                        .replaceFirst("\"distance\"", "\"fourth\""));
        r = assertThrows(IOException.class, () -> SegmentationModel.resolve(model));
        assertTrue(r.getMessage().contains("objectDiameter is for instances-distance models"), r.getMessage());
    }

    @Test
    void tilesBelowTheHaloAreRoundedUpAndSaid() throws Exception {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(MODEL));
        Segmenter s = Segmenter.of(null, spec);
        List<String> said = new ArrayList<>();
        assertEquals(
                Math.max(spec.halo(), spec.tileMultiple()),
                s.layout(1, said::add).tile());
        assertEquals(
                spec.halo() + spec.tileMultiple(),
                s.layout(spec.halo() + 1, said::add).tile());
        assertEquals(2, said.size(), "each change is said: " + said);
        assertTrue(said.get(0).startsWith("tile 1 px -> "), said.get(0));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter.Request(Diameter.AUTO, false, -1));
    }

    @Test
    void oneBadFileInAFolderIsReportedAndTheRestAreSegmented() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(Path.of("test-images/nuclei-1.tif"), in.resolve("a.tif"));
        Files.copy(Path.of("test-images/nuclei-2.tif"), in.resolve("c.tif"));
        byte[] bytes = Files.readAllBytes(in.resolve("a.tif"));
        Files.write(in.resolve("b.tif"), Arrays.copyOf(bytes, bytes.length / 2));
        Path out = dir.resolve("out");
        Batch.Failed e = assertThrows(
                Batch.Failed.class,
                () -> SegmentFiles.segment(
                        SegmentFiles.Options.of(MODEL, in, out).withEngine(EngineKind.ORT, Device.CPU, 0)));
        assertTrue(
                e.getMessage().startsWith("2 done, 1 failed: b.tif (")
                        && e.getMessage().contains("truncated"),
                e.getMessage());
        for (String done : new String[] {"a", "c"}) {
            for (String f : new String[] {"labels.tif", "rois.zip", "results.csv"})
                assertTrue(Files.exists(out.resolve(done).resolve(f)), done + "/" + f);
        }
        assertTrue(
                Files.notExists(out.resolve("b"))
                        || Files.list(out.resolve("b")).findAny().isEmpty(),
                "nothing written for the bad file");
        try (var s = Files.walk(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging or temp files left");
        }
    }

    @Test
    void resultsOfOneImageAppearTogetherOrNotAtAll() throws Exception {
        Path out = dir.resolve("set");
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.csv"), "old");
        IOException e = assertThrows(
                IOException.class,
                () -> Staging.write(out, staging -> {
                    Files.writeString(staging.resolve("labels.tif"), "new");
                    Files.writeString(staging.resolve("results.csv"), "new");
                    throw new IOException("the disk is full");
                }));
        assertEquals("the disk is full", e.getMessage());
        assertEquals("old", Files.readString(out.resolve("results.csv")), "the earlier result stays");
        try (var s = Files.list(out)) {
            assertEquals(
                    List.of("results.csv"),
                    s.map(p -> p.getFileName().toString()).toList(),
                    "no partial set, no staging folder");
        }
    }

    @Test
    void trainingGoesOnWithoutAnUnreadablePairAndSaysSo() throws Exception {
        Path in = dir.resolve("train");
        Files.createDirectories(in);
        Files.copy(Path.of("test-images/nuclei-1.tif"), in.resolve("a.tif"));
        Files.copy(Path.of("test-images/nuclei-1-labels.tif"), in.resolve("a-labels.tif"));
        byte[] bytes = Files.readAllBytes(Path.of("test-images/nuclei-2.tif"));
        Files.write(in.resolve("b.tif"), Arrays.copyOf(bytes, bytes.length / 3));
        Files.copy(Path.of("test-images/nuclei-2-labels.tif"), in.resolve("b-labels.tif"));
        assertEquals(
                List.of("a.tif"),
                TrainSegmentationFiles.load(in, null).stream()
                        .map(LabeledImage::name)
                        .toList());
    }

    @Test
    void aTruncatedRoiZipIsNamed() throws Exception {
        Path zip = dir.resolve("cut.zip");
        byte[] bytes = Files.readAllBytes(Path.of("test-images/scenes/scene-1.zip"));
        Files.write(zip, Arrays.copyOf(bytes, 3000));
        IOException e = assertThrows(IOException.class, () -> RoiZips.read(zip));
        assertTrue(
                e.getMessage().contains("cut.zip is truncated")
                        || e.getMessage().contains("cut.zip is not a ROI zip"),
                e.getMessage());
    }
}
