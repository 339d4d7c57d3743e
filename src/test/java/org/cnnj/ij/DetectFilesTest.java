package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cnnj.data.Labels;
import org.cnnj.det.AnnotatedImage;
import org.cnnj.det.Detection;
import org.cnnj.det.DetectionScenes;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MaskConfig;
import org.cnnj.det.TrainedMaskDetector;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Instances;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ROI zips in and out, class names from ROIs, and the files `detect` writes. */
class DetectFilesTest {
    @TempDir
    Path dir;

    private static Roi named(Roi r, String name) {
        r.setName(name);
        return r;
    }

    @Test
    void classComesFromTheRoiNameWithoutScoreOrNumber() {
        assertEquals("round", DetectFiles.classOf(named(new Roi(0, 0, 5, 5), "round 0.93")));
        assertEquals("round", DetectFiles.classOf(named(new Roi(0, 0, 5, 5), "round-0004")));
        assertEquals("dividing cell", DetectFiles.classOf(named(new Roi(0, 0, 5, 5), "dividing cell_12")));
        assertNull(DetectFiles.classOf(named(new Roi(0, 0, 5, 5), "0012-0034")));
    }

    @Test
    void roiZipRoundTripAndAnyShapeGivesItsBoundingBox() throws Exception {
        Path zip = dir.resolve("img.zip");
        RoiZips.write(
                List.of(named(new Roi(3, 4, 10, 6), "round-1"), named(new OvalRoi(20, 22, 8, 12), "elongated-2")), zip);
        List<Roi> back = RoiZips.read(zip);
        assertEquals(2, back.size());
        assertArrayEquals(new float[] {20, 22, 28, 34}, DetectFiles.box(back.get(1)), 1e-4f);
        IJ.save(
                new ImagePlus("img", new ShortProcessor(40, 40)),
                dir.resolve("img.tif").toString());
        List<AnnotatedImage> data = TrainDetectorFiles.load(dir, dir, List.of("elongated", "round"));
        assertEquals(1, data.size());
        assertArrayEquals(new int[] {1, 0}, data.get(0).classes());
        var unknown =
                assertThrows(IllegalArgumentException.class, () -> TrainDetectorFiles.load(dir, dir, List.of("round")));
        assertTrue(
                unknown.getMessage().contains("elongated")
                        && unknown.getMessage().contains("not one of"),
                unknown.getMessage());
        Files.writeString(dir.resolve("bad.zip"), "not a zip");
        var bad = assertThrows(IOException.class, () -> RoiZips.read(dir.resolve("bad.zip")));
        assertTrue(bad.getMessage().contains("bad.zip"), bad.getMessage());
    }

    @Test
    void missingRoiFileIsNamed() throws Exception {
        IJ.save(
                new ImagePlus("img", new ShortProcessor(40, 40)),
                dir.resolve("lonely.tif").toString());
        var e = assertThrows(IOException.class, () -> TrainDetectorFiles.load(dir, dir, List.of("cell")));
        assertTrue(
                e.getMessage().contains("no boxes for lonely.tif")
                        && e.getMessage().contains("lonely.zip")
                        && e.getMessage().contains("lonely.xml"),
                e.getMessage());
    }

    @Test
    void aLabelImageBesideTheImageGivesOneBoxPerObject() throws Exception {
        // test-images/nuclei-1.tif has nuclei-1-labels.tif and no ROI zip: boxes are the objects' bounding boxes.
        List<AnnotatedImage> data =
                TrainDetectorFiles.load(Path.of("test-images"), Path.of("test-images"), List.of("object"));
        int[] labels = pixels(Path.of("test-images/nuclei-1-labels.tif"));
        assertEquals(Instances.count(labels), data.get(0).objects());
        int[] b = Labels.bounds(labels, 256, 256, Arrays.stream(labels).max().orElse(0));
        float[] first = Arrays.copyOf(data.get(0).boxes(), 4);
        assertEquals(b[4], first[0], 1e-6, "x0 of object 1");
        assertEquals(b[6] + 1, first[2], 1e-6, "x1 of object 1 (exclusive)");
    }

    /** Pixels of a label image. */
    private static int[] pixels(Path tif) throws Exception {
        ImagePlus imp = Tiffs.open(tif);
        int[] out = new int[imp.getWidth() * imp.getHeight()];
        for (int i = 0; i < out.length; i++) out[i] = (int) imp.getProcessor().getf(i);
        return out;
    }

    @Test
    void roisAreNamedByClassAndScore() {
        Roi r = DetectFiles.roi(new Detection(1, "elongated", 0.876f, 1.5f, 2, 11.5f, 32), 3);
        assertEquals("elongated 0.88", r.getName());
        assertTrue(
                r.getGroup() == 2 || r.getGroup() == 0,
                "grouped by class where ImageJ has its group colours (luts/glasbey.lut)");
        assertEquals(Color.CYAN, r.getStrokeColor());
        assertEquals(3, r.getPosition());
        assertEquals(10.0, r.getFloatBounds().getWidth(), 1e-6);
    }

    @Test
    void detectWritesZipCsvAndOverlayAndRejectsUnknownClasses() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")), "models/detector.onnx not built yet");
        var unknown = assertThrows(
                IllegalArgumentException.class,
                () -> DetectFiles.detect(DetectFiles.Options.of(
                                Path.of("models/detector.onnx"), Path.of("test-images/scenes/scene-1.tif"), dir)
                        .withEngine(EngineKind.ORT, Device.CPU, 1)
                        .withClasses(List.of("square"))));
        assertTrue(
                unknown.getMessage().contains("no class \"square\"")
                        && unknown.getMessage().contains("round"),
                unknown.getMessage());
        assertTrue(Files.notExists(dir.resolve("rois.zip")), "nothing written on failure");
        int found = DetectFiles.detect(
                DetectFiles.Options.of(Path.of("models/detector.onnx"), Path.of("test-images/scenes/scene-1.tif"), dir)
                        .withEngine(EngineKind.ORT, Device.CPU, 1)
                        .withClasses(List.of()));
        assertTrue(found > 80, "found " + found);
        assertEquals(
                found + 1, Files.readAllLines(dir.resolve("detections.csv")).size());
        assertEquals(found, RoiZips.read(dir.resolve("rois.zip")).size());
        assertEquals(
                found,
                com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("coco.json")))
                        .getAsJsonObject()
                        .getAsJsonArray("annotations")
                        .size());
        assertEquals(
                found,
                com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("detections.geojson")))
                        .getAsJsonObject()
                        .getAsJsonArray("features")
                        .size());
        ImagePlus overlay = Tiffs.open(dir.resolve("overlay.tif"));
        assertEquals(found, overlay.getOverlay().size());
    }

    /**
     * Colour photographs train and run as three channels (red, green, blue): a detector trained on RGB scenes applies
     * to the same RGB files (detect refused RGB, train-det made it grey without a word); a grey model given RGB says so.
     */
    @Test
    void aDetectorTrainedOnRgbImagesDetectsInThem() throws Exception {
        Path rgb = Files.createDirectories(dir.resolve("rgb"));
        for (String n : new String[] {"scene-1", "scene-2"}) {
            ImagePlus grey = Tiffs.open(Path.of("test-images/scenes/" + n + ".tif"));
            ImagePlus colour =
                    new ImagePlus(n, grey.getProcessor().convertToByte(true).convertToRGB());
            Tiffs.save(colour, rgb.resolve(n + ".tif"));
            Files.copy(Path.of("test-images/scenes/" + n + ".zip"), rgb.resolve(n + ".zip"));
        }
        Path model = dir.resolve("rgb.onnx");
        DetectorTrainer.Result r = TrainDetectorFiles.train(
                TrainDetectorFiles.Options.of(rgb, model)
                        .withConfig(DetectorTrainer.DEFAULTS
                                .withSchedule(1, 3)
                                .withBatches(2, 64)
                                .withValidation(0.5)),
                null,
                null);
        assertEquals(3, r.spec().inputChannels(), "red, green and blue");
        int found = DetectFiles.detect(DetectFiles.Options.of(model, rgb.resolve("scene-1.tif"), dir.resolve("out"))
                .withEngine(EngineKind.ORT, Device.CPU, 1));
        assertTrue(found >= 0 && Files.exists(dir.resolve("out/detections.csv")));
        var grey = assertThrows(
                IllegalArgumentException.class,
                () -> DetectFiles.detect(DetectFiles.Options.of(
                                Path.of(BuiltInModels.CELL_SHAPES), rgb.resolve("scene-1.tif"), dir.resolve("grey"))
                        .withEngine(EngineKind.ORT, Device.CPU, 1)));
        assertTrue(
                grey.getMessage().contains("is RGB (3 channels")
                        && grey.getMessage().contains("expects 1"),
                grey.getMessage());

        // Trained on the green channel only: the model records it, and detecting on RGB without it says so.
        Path green = dir.resolve("green.onnx");
        DetectorTrainer.Result g = TrainDetectorFiles.train(
                TrainDetectorFiles.Options.of(rgb, green)
                        .withChannels(ChannelChoice.parse("green"))
                        .withConfig(DetectorTrainer.DEFAULTS
                                .withSchedule(1, 2)
                                .withBatches(2, 64)
                                .withValidation(0.5)),
                null,
                null);
        assertEquals(1, g.spec().inputChannels());
        assertEquals("green", g.spec().provenance().get("channels"));
        var all = assertThrows(
                IllegalArgumentException.class,
                () -> DetectFiles.detect(DetectFiles.Options.of(green, rgb.resolve("scene-1.tif"), dir.resolve("g1"))
                        .withEngine(EngineKind.ORT, Device.CPU, 1)));
        assertTrue(all.getMessage().contains("trained on channels=green"), all.getMessage());
        DetectFiles.detect(DetectFiles.Options.of(green, rgb.resolve("scene-1.tif"), dir.resolve("g2"))
                .withEngine(EngineKind.ORT, Device.CPU, 1)
                .withChannels(ChannelChoice.parse("green")));
        assertTrue(Files.exists(dir.resolve("g2/detections.csv")));
    }

    @Test
    void aDetectorWithMasksWritesOutlinesALabelImageAndTheirShapes() throws Exception {
        Path model = TrainedMaskDetector.model();
        DetectionScenes.Scene scene = DetectionScenes.generate(99, 160, 160, 0.0015);
        Path image = dir.resolve("scene.tif");
        Tiffs.save(new ImagePlus("scene", new FloatProcessor(160, 160, scene.image())), image);
        int found = DetectFiles.detect(
                DetectFiles.Options.of(model, image, dir.resolve("out")).withEngine(EngineKind.ORT, Device.CPU, 1));
        assertTrue(found >= 10, found + " objects");
        List<Roi> rois = RoiZips.read(dir.resolve("out/rois.zip"));
        ImagePlus labels = Tiffs.open(dir.resolve("out/labels.tif"));
        assertEquals(found, rois.size());
        assertEquals(found, (int) labels.getProcessor().getStatistics().max, "one label per ROI");
        for (Roi r : rois) {
            assertTrue(r.getType() != Roi.RECTANGLE, "an outline, not a box: " + r);
            assertTrue(r.getName().matches("(round|elongated) [01]\\.\\d\\d"), r.getName());
        }
        List<String> csv = Files.readAllLines(dir.resolve("out/detections.csv"));
        assertEquals("position,label,class,score,x,y,width,height,area_px2,perimeter_px,circularity", csv.get(0));
        assertEquals(found + 1, csv.size());
        for (String row : csv.subList(1, csv.size())) {
            String[] f = row.split(",");
            double area = Double.parseDouble(f[8]), w = Double.parseDouble(f[6]), h = Double.parseDouble(f[7]);
            double circularity = Double.parseDouble(f[10]);
            assertTrue(area > 10 && area <= w * h + 1e-6, row); // inside its box
            assertTrue(circularity > 0.2 && circularity <= 1, row);
        }
    }

    @Test
    void masksAreLearntFromLabelImagesAndRefusedForBoxes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("outlined"));
        for (int seed = 1; seed <= 2; seed++) {
            DetectionScenes.Scene s = DetectionScenes.generate(seed, 96, 96, 0.0015);
            Tiffs.save(new ImagePlus("s", new FloatProcessor(96, 96, s.image())), data.resolve("s" + seed + ".tif"));
            short[] ids = new short[s.labels().length];
            for (int p = 0; p < ids.length; p++) ids[p] = (short) s.labels()[p];
            Tiffs.save(
                    new ImagePlus("l", new ShortProcessor(96, 96, ids, null)),
                    data.resolve("s" + seed + "-labels.tif"));
        }
        Path model = dir.resolve("outlines.onnx");
        DetectorTrainer.Result r = TrainDetectorFiles.train(
                TrainDetectorFiles.Options.of(data, model)
                        .withMasks(MaskConfig.defaults())
                        .withConfig(DetectorTrainer.DEFAULTS
                                .withSchedule(1, 2)
                                .withBatches(2, 64)
                                .withValidation(0.5)),
                null,
                null);
        assertTrue(r.spec().hasMasks());
        assertTrue(Files.isRegularFile(dir.resolve("outlines.mask.onnx")));
        assertEquals(
                "outlines.mask.onnx",
                DetectorSpec.read(dir.resolve("outlines.json")).maskHead());

        // Boxes (rectangle ROIs) have no outlines to learn from: said, naming the image, and nothing is written.
        Path boxes = Files.createDirectories(dir.resolve("boxes"));
        for (String n : List.of("scene-1", "scene-2")) {
            Files.copy(Path.of("test-images/scenes/" + n + ".tif"), boxes.resolve(n + ".tif"));
            Files.copy(Path.of("test-images/scenes/" + n + ".zip"), boxes.resolve(n + ".zip"));
        }
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainDetectorFiles.train(
                        TrainDetectorFiles.Options.of(boxes, dir.resolve("none.onnx"))
                                .withMasks(MaskConfig.defaults())
                                .withConfig(DetectorTrainer.DEFAULTS
                                        .withSchedule(1, 1)
                                        .withBatches(1, 64)),
                        null,
                        null));
        assertTrue(e.getMessage().contains("scene-1") && e.getMessage().contains("no outlines"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("none.onnx")));
    }
}
