package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import java.awt.Point;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Label Studio's JSON export as its Export › JSON writes it: tasks with data (an uploaded image's path, its 8-character
 * prefix), annotations (a cancelled one first) and predictions; results in percent of the image — rectangles (one
 * turned 90° about its top-left corner, as Label Studio turns them), polygons, ellipses, a plain rectangle without a
 * label, a key point skipped with a warning; predictions are not read. Brushes: see brushMasksAsLabelStudioEncodesThem.
 */
class LabelStudioJsonTest {
    @TempDir
    Path dir;

    static final String EXPORT = """
            [{"id": 7, "data": {"image": "/data/upload/3/1a2b3c4d-cells.jpg"},
              "annotations": [
                {"id": 20, "was_cancelled": true, "result": [
                  {"type": "rectanglelabels", "value": {"x": 0, "y": 0, "width": 50, "height": 50,
                   "rectanglelabels": ["WBC"]}}]},
                {"id": 21, "completed_by": 1, "was_cancelled": false, "ground_truth": false, "lead_time": 31.5,
                 "result": [
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"x": 6.25, "y": 12.5,
                   "width": 15.625, "height": 16.666666666666668, "rotation": 0, "rectanglelabels": ["RBC"]},
                   "id": "a1", "from_name": "label", "to_name": "image", "type": "rectanglelabels", "origin": "manual"},
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"points": [[46.875,
                   20.833333333333332], [78.125, 20.833333333333332], [78.125, 62.5], [46.875, 62.5]],
                   "closed": true, "polygonlabels": ["WBC"]},
                   "id": "a2", "from_name": "poly", "to_name": "image", "type": "polygonlabels", "origin": "manual"},
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"x": 62.5,
                   "y": 83.33333333333333, "radiusX": 7.8125, "radiusY": 10.416666666666666, "rotation": 0,
                   "ellipselabels": ["Platelets"]},
                   "id": "a3", "from_name": "ell", "to_name": "image", "type": "ellipselabels", "origin": "manual"},
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"x": 25, "y": 50,
                   "width": 12.5, "height": 8.333333333333334, "rotation": 90, "rectanglelabels": ["RBC"]},
                   "id": "a4", "from_name": "label", "to_name": "image", "type": "rectanglelabels", "origin": "manual"},
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"x": 1.5625,
                   "y": 2.0833333333333335, "width": 6.25, "height": 8.333333333333334, "rotation": 0},
                   "id": "a5", "from_name": "box", "to_name": "image", "type": "rectangle", "origin": "manual"},
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"x": 50, "y": 50,
                   "width": 0.5, "keypointlabels": ["RBC"]},
                   "id": "a6", "from_name": "kp", "to_name": "image", "type": "keypointlabels", "origin": "manual"}]}],
              "predictions": [{"model_version": "v1", "score": 0.5, "result": [
                  {"type": "rectanglelabels", "value": {"x": 80, "y": 80, "width": 10, "height": 10,
                   "rectanglelabels": ["RBC"]}}]}]}]""";

    @Test
    void exportAsLabelStudioWritesIt() throws IOException {
        Path image = BoxAnnotationsTest.photo(dir, "cells.jpg");
        Files.writeString(dir.resolve("project-3-at-2026-12-07.json"), EXPORT);
        List<String> warnings = new ArrayList<>();
        BoxAnnotations.Found found =
                new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, warnings::add).forImage(image, 64, 48);
        assertEquals(BoxAnnotations.Format.LABELSTUDIO, found.format());
        List<Roi> rois = found.rois();
        assertEquals(
                List.of("RBC", "WBC", "Platelets", "RBC"),
                rois.stream().limit(4).map(Roi::getName).toList());
        assertArrayEquals(new float[] {4, 6, 14, 14}, DetectFiles.box(rois.get(0)), 1e-3f, "a rectangle");
        assertArrayEquals(new float[] {30, 10, 50, 30}, DetectFiles.box(rois.get(1)), 1e-3f, "a polygon");
        assertArrayEquals(new float[] {35, 35, 45, 45}, DetectFiles.box(rois.get(2)), 1e-3f, "an ellipse");
        assertArrayEquals(new float[] {12, 24, 16, 32}, DetectFiles.box(rois.get(3)), 1e-3f, "turned about its corner");
        assertArrayEquals(new float[] {1, 1, 5, 5}, DetectFiles.box(rois.get(4)), 1e-3f, "a plain rectangle");
        assertNull(rois.get(4).getName(), "no label: unnamed");
        assertEquals(5, rois.size(), "the cancelled annotation and the predictions are not read");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("result 6 (keypointlabels \"RBC\")")
                && warnings.get(0).contains("skipped"));
    }

    private static final Path BRUSHES = Path.of("src/test/resources/org/cnnj/ij/labelstudio/brush-export.json");

    private Path png(String name) {
        Path file = dir.resolve(name);
        assertTrue(new FileSaver(new ImagePlus(name, new ColorProcessor(64, 48))).saveAsPng(file.toString()));
        return file;
    }

    private static int[] pixels(Roi roi, int width, int height) {
        int[] mask = new int[width * height];
        for (Point p : roi.getContainedPoints())
            if (p.x >= 0 && p.y >= 0 && p.x < width && p.y < height) mask[p.y * width + p.x] = 1;
        return mask;
    }

    /**
     * Brushes as Label Studio's editor and label-studio-converter's mask2rle encode them
     * (make_labelstudio_brush_fixture.py): each brush one object, pixel for pixel — a disk, and two strokes apart as one
     * object — beside a polygon; as training data for segmentation, the same objects.
     */
    @Test
    void brushMasksAsLabelStudioEncodesThem() throws IOException {
        Path image = png("cells.png");
        Files.copy(BRUSHES, dir.resolve("project-5-at-2026-12-08.json"));
        List<String> warnings = new ArrayList<>();
        BoxAnnotations.Found found =
                new BoxAnnotations(dir, BoxAnnotations.Format.LABELSTUDIO, warnings::add).forImage(image, 64, 48);
        assertEquals(List.of(), warnings);
        assertEquals(3, found.rois().size());
        int[] disk = new int[64 * 48], strokes = new int[64 * 48];
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++) {
                disk[y * 64 + x] = (x - 20) * (x - 20) + (y - 20) * (y - 20) <= 64 ? 1 : 0;
                boolean rectangle = x >= 40 && x <= 55 && y >= 25 && y <= 40,
                        square = x >= 5 && x <= 9 && y >= 38 && y <= 42;
                strokes[y * 64 + x] = rectangle || square ? 1 : 0;
            }
        assertArrayEquals(disk, pixels(found.rois().get(0), 64, 48), "the editor's brush: a disk");
        assertArrayEquals(strokes, pixels(found.rois().get(1), 64, 48), "mask2rle's brush: two strokes, one object");
        assertEquals("Nucleus", found.rois().get(1).getName());
        assertArrayEquals(
                new float[] {48, 5, 58, 15}, DetectFiles.box(found.rois().get(2)), 1e-3f, "the polygon");

        int[] labels = TrainSegmentationFiles.objectLabels(image);
        int[] area = new int[4];
        for (int l : labels) area[l]++;
        assertEquals(Arrays.stream(disk).sum(), area[1], "the disk as object 1");
        assertEquals(Arrays.stream(strokes).sum(), area[2], "both strokes as object 2");
    }

    @Test
    void aBrushOnAnotherImageSizeOrCutShortIsNamed() throws IOException {
        Path image = png("cells.png");
        String json = Files.readString(BRUSHES);
        Files.writeString(
                dir.resolve("export.json"),
                json.replaceFirst("\"original_width\": 64", "\"original_width\": 128")
                        .replaceFirst("\"original_height\": 48", "\"original_height\": 96"));
        var bigger = assertThrows(
                IllegalArgumentException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, line -> {}).forImage(image, 64, 48));
        assertTrue(
                bigger.getMessage().contains("export.json")
                        && bigger.getMessage().contains("128 × 96")
                        && bigger.getMessage().contains("64 × 48"),
                bigger.getMessage());

        Files.writeString(dir.resolve("export.json"), json.replaceFirst("\"rle\": \\[(\\d+, ){20}", "\"rle\": ["));
        var cut = assertThrows(
                IllegalArgumentException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, line -> {}).forImage(image, 64, 48));
        assertTrue(
                cut.getMessage().contains("result 1 (brushlabels \"Nucleus\")")
                        && cut.getMessage().contains("damaged"),
                cut.getMessage());
    }

    /** A damaged brush code — bytes changed or cut anywhere — is an IllegalArgumentException naming it, nothing else. */
    @Test
    void anyDamageToABrushIsNamed() throws IOException {
        JsonArray rle = JsonParser.parseString(Files.readString(BRUSHES))
                .getAsJsonArray()
                .get(0)
                .getAsJsonObject()
                .getAsJsonArray("annotations")
                .get(0)
                .getAsJsonObject()
                .getAsJsonArray("result")
                .get(0)
                .getAsJsonObject()
                .getAsJsonObject("value")
                .getAsJsonArray("rle");
        byte[] whole = new byte[rle.size()];
        for (int i = 0; i < whole.length; i++) whole[i] = (byte) rle.get(i).getAsInt();
        int failed = 0, trial = 0;
        for (byte[] bad : Damaged.copies(whole, 2000, 2, 0, 3)) {
            trial++;
            try {
                LabelStudioRle.alpha(bad, 64 * 48, "brush " + trial);
            } catch (IllegalArgumentException e) {
                failed++;
                assertTrue(e.getMessage().startsWith("brush " + trial + ": "), e.getMessage());
            }
        }
        assertTrue(failed > 1000, "most damage is found: " + failed);
    }
}
