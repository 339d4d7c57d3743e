package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Roi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GeoJSON objects as QuPath writes them — a FeatureCollection (0.4/0.5 with FEATURE_COLLECTION, classification
 * name and colour), an array of Features (its default; 0.2's colorRGB, isLocked, measurements), planes of a z-stack
 * in the geometry — and as CNN-J's own objects.geojson: areas, holes, classes, positions; points and lines skipped
 * with a warning; JSON that is not GeoJSON refused by name.
 */
class GeoJsonObjectsTest {
    @TempDir
    Path dir;

    /** QuPath 0.5, "Export objects as GeoJSON" with FeatureCollection: a square nucleus with a hole, a diamond. */
    static final String QUPATH_COLLECTION = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "id": "6f1c1b5e-3a47-4a0e-9d0b-2d1f0c3c9a11",
               "geometry": {"type": "Polygon", "coordinates": [
                 [[10, 10], [30, 10], [30, 30], [10, 30], [10, 10]],
                 [[15, 15], [15, 20], [20, 20], [20, 15], [15, 15]]]},
               "properties": {"objectType": "annotation", "classification": {"name": "Nucleus", "color": [200, 0, 0]}}},
              {"type": "Feature", "id": "0b5d7c62-8c0e-4d53-a0b8-5b9a3c0e2f42",
               "geometry": {"type": "Polygon", "coordinates": [[[50, 40], [60, 50], [50, 60], [40, 50], [50, 40]]]},
               "properties": {"objectType": "annotation", "name": "my favourite",
                 "classification": {"name": "Tumor: Positive", "color": [200, 50, 50]}}},
              {"type": "Feature", "id": "a4e4f0a9-2b1d-4f36-9a33-0b7a9ad1c0e7",
               "geometry": {"type": "Point", "coordinates": [5, 5]},
               "properties": {"objectType": "annotation"}}
            ]}""";

    /** QuPath 0.2, exportObjectsToGeoJson without options: an array; two parts of one object, one unclassified. */
    static final String QUPATH_ARRAY = """
            [{"type": "Feature", "id": "PathAnnotationObject",
              "geometry": {"type": "MultiPolygon", "coordinates": [
                [[[2, 2], [6, 2], [6, 6], [2, 6], [2, 2]]],
                [[[70, 2], [78, 2], [78, 6], [70, 6], [70, 2]]]]},
              "properties": {"classification": {"name": "Debris", "colorRGB": -3670016}, "isLocked": false,
                "measurements": []}},
             {"type": "Feature", "id": "PathDetectionObject",
              "geometry": {"type": "Polygon", "coordinates": [[[40, 2], [44, 2], [44, 8], [40, 8], [40, 2]]],
                "plane": {"c": -1, "z": 2, "t": 0}},
              "properties": {"isLocked": false, "measurements": []}},
             {"type": "Feature", "id": "PathDetectionObject",
              "geometry": {"type": "LineString", "coordinates": [[0, 0], [9, 9]]},
              "properties": {"isLocked": false, "measurements": []}}]""";

    @Test
    void qupathFeatureCollection() throws IOException {
        Path file = Files.writeString(dir.resolve("slide.geojson"), QUPATH_COLLECTION);
        List<String> warnings = new ArrayList<>();
        List<Roi> rois = GeoJsonObjects.read(file, warnings::add);
        assertEquals(2, rois.size());
        assertEquals("Nucleus", rois.get(0).getName());
        assertEquals("Tumor: Positive", rois.get(1).getName(), "the class, not the object's own name");
        assertEquals(0, rois.get(0).getPosition(), "no plane: every plane");
        int[] labels = TrainDetectorFiles.outlines(rois, 1, 80, 64);
        assertEquals(1, labels[12 * 80 + 12], "inside the square");
        assertEquals(0, labels[17 * 80 + 17], "the hole is not the object");
        assertEquals(2, labels[50 * 80 + 50], "the diamond's centre");
        assertEquals(0, labels[41 * 80 + 41], "its bounding box's corner is not");
        assertEquals(20 * 20 - 5 * 5, count(labels, 1), "pixels of the square less the hole");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("feature 3 (id a4e4f0a9")
                && warnings.get(0).contains("Point"));
    }

    @Test
    void qupathArrayWithPlanes() throws IOException {
        Path file = Files.writeString(dir.resolve("stack.json"), QUPATH_ARRAY);
        List<String> warnings = new ArrayList<>();
        List<Roi> rois = GeoJsonObjects.read(file, warnings::add);
        assertEquals(2, rois.size());
        assertEquals("Debris", rois.get(0).getName());
        assertArrayEquals(new float[] {2, 2, 78, 6}, DetectFiles.box(rois.get(0)), 1e-4f, "both parts, one object");
        assertNull(rois.get(1).getName(), "unclassified: an unnamed ROI");
        assertEquals(3, rois.get(1).getPosition(), "QuPath's z 2 is ImageJ's slice 3");
        assertEquals(1, rois.get(0).getPosition(), "without a plane beside one with a plane: QuPath's first plane");
        assertTrue(warnings.get(0).contains("LineString"), warnings.toString());
    }

    /** QuPath 0.5's cell detection (or its StarDist extension with cell expansion): cells with a nucleusGeometry. */
    static final String QUPATH_CELLS = """
            [{"type": "Feature", "id": "3c1e7d2a-0f5b-4c8e-9a61-2b7d4e8f1a01",
              "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [40, 10], [40, 40], [10, 40], [10, 10]]],
                "plane": {"c": -1, "z": 1, "t": 0}},
              "nucleusGeometry": {"type": "Polygon", "coordinates": [[[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]]},
              "properties": {"objectType": "cell", "classification": {"name": "Positive", "color": [200, 50, 50]},
                "isLocked": false, "measurements": {"Nucleus: Area": 100.0, "Cell: Area": 900.0}}},
             {"type": "Feature", "id": "7d2a3c1e-5b0f-4e8c-619a-7d4e2b8f1a02",
              "geometry": {"type": "Polygon", "coordinates": [[[50, 10], [60, 10], [60, 20], [50, 20], [50, 10]]]},
              "properties": {"objectType": "detection", "isLocked": false}}]""";

    @Test
    void qupathCellsByTheirOutlineOrTheirNucleus() throws IOException {
        Path image = Files.createDirectories(dir.resolve("tiles")).resolve("t.tif");
        ij.IJ.saveAsTiff(new ij.ImagePlus("t", new ij.process.ByteProcessor(64, 48)), image.toString());
        Files.writeString(dir.resolve("tiles/t.geojson"), QUPATH_CELLS);
        List<String> notes = new ArrayList<>();
        List<Roi> cells = new BoxAnnotations(dir.resolve("tiles"), BoxAnnotations.Format.AUTO, notes::add)
                .forImage(image, 64, 48)
                .rois();
        assertArrayEquals(new float[] {10, 10, 40, 40}, DetectFiles.box(cells.get(0)), 1e-4f, "the cell outline");
        assertTrue(
                notes.get(0).contains("t.geojson holds 1 QuPath cell(s) with a nucleus")
                        && notes.get(0).contains("geojson-nuclei"),
                notes.toString());
        List<Roi> nuclei = new BoxAnnotations(dir.resolve("tiles"), BoxAnnotations.Format.GEOJSON_NUCLEI, notes::add)
                .forImage(image, 64, 48)
                .rois();
        assertEquals(2, nuclei.size());
        assertArrayEquals(new float[] {20, 20, 30, 30}, DetectFiles.box(nuclei.get(0)), 1e-4f, "the nucleus");
        assertEquals("Positive", nuclei.get(0).getName(), "the cell's class");
        assertEquals(2, nuclei.get(0).getPosition(), "the cell's plane (z 1)");
        assertArrayEquals(new float[] {50, 10, 60, 20}, DetectFiles.box(nuclei.get(1)), 1e-4f, "a detection: itself");
        assertEquals(1, notes.size(), "no note when the nuclei are read");
        assertEquals(BoxAnnotations.Format.GEOJSON_NUCLEI, BoxAnnotations.Format.parse("geojson-nuclei"));
        var unknown = assertThrows(IllegalArgumentException.class, () -> BoxAnnotations.Format.parse("labelbox"));
        assertEquals(
                "annotations must be auto, rois, labels, voc, geojson, geojson-nuclei, labelme, coco, via, labelstudio,"
                        + " cvat, yolo or csv, got \"labelbox\"",
                unknown.getMessage());
    }

    @Test
    void cnnjsOwnObjectsComeBack() throws IOException {
        int[] truth = new int[64 * 48];
        for (int y = 5; y < 15; y++) for (int x = 5; x < 20; x++) truth[y * 64 + x] = 1;
        for (int y = 20; y < 40; y++)
            for (int x = 30; x < 50; x++) if ((x - 40) * (x - 40) + (y - 30) * (y - 30) < 81) truth[y * 64 + x] = 2;
        List<ObjectFiles.Shape> shapes = new ArrayList<>();
        for (Roi r : LabelResults.rois(truth, 64, 48, 0))
            shapes.add(new ObjectFiles.Shape(r, "nucleus", Double.NaN, Map.of(), 0));
        Path file = dir.resolve("objects.geojson");
        Files.write(file, ObjectFiles.geoJson(shapes, "a.tif"));
        List<Roi> back = GeoJsonObjects.read(file, w -> {});
        assertEquals(2, back.size());
        assertArrayEquals(truth, TrainDetectorFiles.outlines(back, 1, 64, 48), "the same pixels");
        assertEquals("nucleus", DetectFiles.classOf(back.get(1)));
    }

    @Test
    void notGeoJsonIsNamed() throws IOException {
        Path coco = Files.writeString(dir.resolve("a.json"), "{\"images\": [], \"annotations\": []}");
        var e = assertThrows(IllegalArgumentException.class, () -> GeoJsonObjects.read(coco, w -> {}));
        assertTrue(e.getMessage().contains("a.json") && e.getMessage().contains("not GeoJSON"), e.getMessage());
        Path broken = Files.writeString(dir.resolve("b.geojson"), "{\"type\": \"FeatureCollection\", \"features\": [");
        e = assertThrows(IllegalArgumentException.class, () -> GeoJsonObjects.read(broken, w -> {}));
        assertTrue(e.getMessage().contains("b.geojson") && e.getMessage().contains("not valid JSON"), e.getMessage());
        Path shortRing = Files.writeString(
                dir.resolve("c.geojson"),
                "{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[1, 1], [2, 2]]]}}");
        e = assertThrows(IllegalArgumentException.class, () -> GeoJsonObjects.read(shortRing, w -> {}));
        assertTrue(e.getMessage().contains("c.geojson: feature 1")
                && e.getMessage().contains("fewer than 3"));
    }

    static int count(int[] labels, int id) {
        int n = 0;
        for (int l : labels) if (l == id) n++;
        return n;
    }
}
