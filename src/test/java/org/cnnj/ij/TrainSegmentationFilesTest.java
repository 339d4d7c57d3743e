package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.FileSaver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.Instances;
import org.cnnj.seg.LabeledImage;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segmentation training data from ROI zips (the ROI Manager's format) and annotation tools' outlines (QuPath's
 * GeoJSON, COCO run-length masks) instead of label images; boxes alone refused.
 */
class TrainSegmentationFilesTest {
    @TempDir
    Path dir;

    @Test
    void roiZipBecomesTheSameObjectsAsTheLabelImage() throws Exception {
        Files.copy(Path.of("test-images/nuclei-1.tif"), dir.resolve("a.tif"));
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        List<Roi> rois = LabelResults.rois(truth, 256, 256, 0);
        RoiZips.write(rois, dir.resolve("a.zip"));
        assertSameObjects(truth, TrainSegmentationFiles.load(dir, null));
        Files.delete(dir.resolve("a.zip"));
        var e = Assertions.assertThrows(IOException.class, () -> TrainSegmentationFiles.load(dir, null));
        assertTrue(e.getMessage().contains("a-labels.tif") && e.getMessage().contains("a.zip"), e.getMessage());
        assertTrue(e.getMessage().contains("a.geojson (QuPath)"), e.getMessage());
    }

    @Test
    void qupathGeoJsonAndCocoMasksBecomeTheSameObjects() throws Exception {
        Files.copy(Path.of("test-images/nuclei-1.tif"), dir.resolve("a.tif"));
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        List<Roi> rois = LabelResults.rois(truth, 256, 256, 0);
        // As QuPath 0.2-0.5 writes annotations without options: an array of Features, classified "Nucleus".
        List<Object> features = new ArrayList<>();
        for (Roi r : rois) {
            List<List<double[][]>> polygons = ObjectFiles.polygons(r);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("type", "Feature");
            f.put("id", "PathAnnotationObject");
            f.put(
                    "geometry",
                    Map.of(
                            "type",
                            polygons.size() == 1 ? "Polygon" : "MultiPolygon",
                            "coordinates",
                            polygons.size() == 1 ? polygons.get(0) : polygons));
            f.put(
                    "properties",
                    Map.of("objectType", "annotation", "classification", Map.of("name", "Nucleus", "color", new int[] {
                        255, 0, 0
                    })));
            features.add(f);
        }
        Files.writeString(dir.resolve("a.geojson"), new Gson().toJson(features));
        assertSameObjects(truth, TrainSegmentationFiles.load(dir, null));
        Files.delete(dir.resolve("a.geojson"));

        // As labelme saves polygons (no holes; the parts of one object share a group_id).
        List<Object> shapes = new ArrayList<>();
        for (int n = 0; n < rois.size(); n++) {
            for (List<double[][]> part : ObjectFiles.polygons(rois.get(n))) {
                Map<String, Object> shape = new LinkedHashMap<>();
                shape.put("label", "nucleus");
                shape.put("points", part.get(0));
                shape.put("group_id", n);
                shape.put("description", "");
                shape.put("shape_type", "polygon");
                shape.put("flags", Map.of());
                shapes.add(shape);
            }
        }
        Map<String, Object> labelme = new LinkedHashMap<>();
        labelme.put("version", "5.5.0");
        labelme.put("flags", Map.of());
        labelme.put("shapes", shapes);
        labelme.put("imagePath", "a.tif");
        labelme.put("imageHeight", 256);
        labelme.put("imageWidth", 256);
        Files.writeString(dir.resolve("a.json"), new Gson().toJson(labelme));
        assertSameObjects(truth, TrainSegmentationFiles.load(dir, null));
        Files.delete(dir.resolve("a.json"));

        // As CVAT exports brush masks (COCO 1.0): compressed run-length masks, one annotation per nucleus.
        List<Object> annotations = new ArrayList<>();
        for (int id = 1; id <= Instances.count(truth); id++) {
            int[] mask = new int[truth.length];
            for (int i = 0; i < mask.length; i++) mask[i] = truth[i] == id ? 1 : 0;
            float[] b = DetectFiles.box(rois.get(id - 1));
            annotations.add(Map.of(
                    "id",
                    id,
                    "image_id",
                    1,
                    "category_id",
                    1,
                    "iscrowd",
                    0,
                    "bbox",
                    new float[] {b[0], b[1], b[2] - b[0], b[3] - b[1]},
                    "segmentation",
                    Map.of(
                            "size",
                            new int[] {256, 256},
                            "counts",
                            CocoRleTest.toString(CocoRleTest.runs(mask, 256, 256)))));
        }
        Map<String, Object> coco = Map.of(
                "images", List.of(Map.of("id", 1, "file_name", "a.tif", "width", 256, "height", 256)),
                "categories", List.of(Map.of("id", 1, "name", "nucleus")),
                "annotations", annotations);
        Files.writeString(dir.resolve("instances_default.json"), new Gson().toJson(coco));
        List<LabeledImage> fromMasks = TrainSegmentationFiles.load(dir, null);
        assertSameObjects(truth, fromMasks);
        assertEquals(
                Instances.count(truth),
                InstanceMatching.match(truth, fromMasks.get(0).labels(), 0.999).truePositives(),
                "run-length masks are the pixels themselves");
        Files.delete(dir.resolve("instances_default.json"));

        // Boxes alone (labelImg's Pascal VOC) are refused: a segmentation model learns outlines.
        Files.writeString(
                dir.resolve("a.xml"),
                "<annotation><filename>a.tif</filename><size><width>256</width><height>256</height><depth>1"
                        + "</depth></size><object><name>nucleus</name><bndbox><xmin>10</xmin><ymin>10</ymin>"
                        + "<xmax>30</xmax><ymax>30</ymax></bndbox></object></annotation>");
        var e = Assertions.assertThrows(IllegalArgumentException.class, () -> TrainSegmentationFiles.load(dir, null));
        assertTrue(
                e.getMessage().contains("a.xml holds boxes, not outlines")
                        && e.getMessage().contains("train-det"),
                e.getMessage());
    }

    @Test
    void semanticTrainingPaintsEachOutlinesClass() throws Exception {
        Files.copy(Path.of("test-images/nuclei-1.tif"), dir.resolve("a.tif"));
        // QuPath region annotations: a tissue region, a tumour inside it (exported after it), an unclassified one.
        String region = "{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0],"
                + " [200, 0], [200, 200], [0, 200], [0, 0]]]}, \"properties\": {\"objectType\": \"annotation\","
                + " \"classification\": {\"name\": \"Stroma\", \"color\": [150, 200, 150]}}}";
        String tumour = "{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[50, 50],"
                + " [100, 50], [100, 100], [50, 100], [50, 50]]]}, \"properties\": {\"objectType\": \"annotation\","
                + " \"classification\": {\"name\": \"Tumor\", \"color\": [200, 0, 0]}}}";
        Files.writeString(dir.resolve("a.geojson"), "[" + region + ", " + tumour + "]");
        List<String> classes = List.of("background", "Tumor", "Stroma");
        int[] map = TrainSegmentationFiles.load(dir, null, ChannelChoice.ALL, classes)
                .get(0)
                .labels();
        assertEquals(2, map[10 * 256 + 10], "Stroma");
        assertEquals(1, map[75 * 256 + 75], "Tumor, painted over the region it lies in");
        assertEquals(0, map[220 * 256 + 220], "no outline: background");
        var e = Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> TrainSegmentationFiles.load(dir, null, ChannelChoice.ALL, List.of()));
        assertTrue(e.getMessage().contains("--classes background,"), e.getMessage());
        e = Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> TrainSegmentationFiles.load(dir, null, ChannelChoice.ALL, List.of("background", "Tumor")));
        assertTrue(
                e.getMessage().contains("a.geojson") && e.getMessage().contains("\"Stroma\", which is not one of"),
                e.getMessage());
        // For instances the same outlines are two objects.
        assertEquals(
                2, Instances.count(TrainSegmentationFiles.load(dir, null).get(0).labels()));
    }

    @Test
    void qupathHierarchyGivesTheObjectsNotTheRegionAroundThem() throws Exception {
        Files.copy(Path.of("test-images/nuclei-1.tif"), dir.resolve("a.tif"));
        // exportObjectsToGeoJson with child objects: the root holds a region annotation, which holds three nuclei.
        StringBuilder nuclei = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            int x = 30 + 40 * i;
            nuclei.append(i == 0 ? "" : ", ")
                    .append("{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[")
                    .append(x)
                    .append(", 30], [")
                    .append(x + 10)
                    .append(", 30], [")
                    .append(x + 10)
                    .append(", 40], [")
                    .append(x)
                    .append(", 40], [")
                    .append(x)
                    .append(", 30]]]}, \"properties\": {\"objectType\":"
                            + " \"detection\", \"classification\": {\"name\": \"Nucleus\"}}}");
        }
        String region = "{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0],"
                + " [200, 0], [200, 200], [0, 200], [0, 0]]]}, \"properties\": {\"objectType\": \"annotation\","
                + " \"classification\": {\"name\": \"Tumor\"}, \"childObjects\": [" + nuclei + "]}}";
        Files.writeString(
                dir.resolve("a.geojson"),
                "{\"type\": \"Feature\", \"geometry\": null, \"properties\": {\"objectType\": \"root\","
                        + " \"childObjects\": [" + region + "]}}");
        int[] objects = TrainSegmentationFiles.load(dir, null).get(0).labels();
        assertEquals(3, Instances.count(objects), "the three nuclei; the region around them is not an object");
        assertEquals(0, objects[100 * 256 + 100], "inside the region, outside every nucleus: background");
        int[] map = TrainSegmentationFiles.load(dir, null, ChannelChoice.ALL, List.of("background", "Tumor", "Nucleus"))
                .get(0)
                .labels();
        assertEquals(1, map[100 * 256 + 100], "semantic: the region is its class");
        assertEquals(2, map[35 * 256 + 35], "and the nuclei inside it theirs");
    }

    @Test
    void pngAndJpegImagesAsQuPathExportsTiles() throws Exception {
        ImagePlus nuclei = new ImagePlus(
                "tile", IJ.openImage("test-images/nuclei-1.tif").getProcessor().convertToByte(true));
        assertTrue(new FileSaver(nuclei).saveAsPng(dir.resolve("tile.png").toString()));
        assertTrue(new FileSaver(nuclei).saveAsJpeg(dir.resolve("photo.jpg").toString()));
        Files.copy(Path.of("test-images/nuclei-1-labels.tif"), dir.resolve("tile-labels.tif"));
        Files.copy(Path.of("test-images/nuclei-1-labels.tif"), dir.resolve("photo-labels.tif"));
        List<LabeledImage> data = TrainSegmentationFiles.load(dir, null);
        assertEquals(2, data.size(), "a PNG and a JPEG, each with its TIFF label image");
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        for (LabeledImage d : data) assertEquals(Instances.count(truth), Instances.count(d.labels()), d.name());
    }

    /** Label images named as Cellpose, QuPath's tile exporter and StarDist's data name them are found, not trained on. */
    @Test
    void labelImagesAsOtherToolsNameThem() throws Exception {
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        Path cellpose = Files.createDirectories(dir.resolve("cellpose")),
                qupath = Files.createDirectories(dir.resolve("qupath")),
                stardist = Files.createDirectories(dir.resolve("stardist/images"));
        Files.createDirectories(dir.resolve("stardist/masks"));
        Path labels = Path.of("test-images/nuclei-1-labels.tif");
        Files.copy(Path.of("test-images/nuclei-1.tif"), cellpose.resolve("a.tif"));
        Files.copy(labels, cellpose.resolve("a_masks.tif"));
        Files.copy(Path.of("test-images/nuclei-1.tif"), qupath.resolve("a.tif"));
        Files.copy(labels, qupath.resolve("a-labelled.tif"));
        Files.copy(Path.of("test-images/nuclei-1.tif"), stardist.resolve("a.tif"));
        Files.copy(labels, dir.resolve("stardist/masks/a.tif"));
        for (Path folder : List.of(cellpose, qupath, stardist))
            assertSameObjects(truth, TrainSegmentationFiles.load(folder, null)); // one sample: the label image is none
        assertSameObjects(truth, TrainSegmentationFiles.objectLabels(stardist.resolve("a.tif")));
    }

    /** QuPath's cells train a nuclei model by their nucleus when asked, by their cell outline otherwise. */
    @Test
    void qupathCellsTrainByTheirNucleusWhenAsked() throws Exception {
        Path image = dir.resolve("t.tif");
        IJ.saveAsTiff(new ImagePlus("t", new ij.process.ByteProcessor(64, 48)), image.toString());
        Files.writeString(
                dir.resolve("t.geojson"),
                GeoJsonObjectsTest.QUPATH_CELLS.replaceAll(",\\s*\"plane\": \\{[^}]*\\}", ""));
        TrainSegmentationFiles.Options o = TrainSegmentationFiles.Options.of(dir, dir.resolve("m.onnx"));
        int[] cells = TrainSegmentationFiles.load(o).get(0).labels();
        int[] nuclei = TrainSegmentationFiles.load(o.withAnnotations(BoxAnnotations.Format.GEOJSON_NUCLEI))
                .get(0)
                .labels();
        assertEquals(30 * 30, GeoJsonObjectsTest.count(cells, 1), "the cell outline");
        assertEquals(10 * 10, GeoJsonObjectsTest.count(nuclei, 1), "the nucleus");
        assertEquals(10 * 10, GeoJsonObjectsTest.count(nuclei, 2), "a detection without a nucleus: itself");
        var e = Assertions.assertThrows(
                IOException.class, () -> TrainSegmentationFiles.load(o.withAnnotations(BoxAnnotations.Format.LABELME)));
        assertTrue(e.getMessage().contains("t.json (labelme)"), e.getMessage());
    }

    @Test
    void groundTruthForMeasuringAModelComesFromAnyOfThem() throws Exception {
        Path image = Files.copy(Path.of("test-images/nuclei-1.tif"), dir.resolve("a.tif"));
        assertEquals(null, TrainSegmentationFiles.objectLabels(image), "nothing annotated: not measured");
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        RoiZips.write(LabelResults.rois(truth, 256, 256, 0), dir.resolve("a.zip"));
        assertSameObjects(truth, TrainSegmentationFiles.objectLabels(image));
        Files.delete(dir.resolve("a.zip"));
        Files.writeString(
                dir.resolve("a.xml"),
                "<annotation><object><name>n</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
                        + "<xmax>9</xmax><ymax>9</ymax></bndbox></object></annotation>");
        assertEquals(null, TrainSegmentationFiles.objectLabels(image), "boxes are no ground truth for outlines");
    }

    private static void assertSameObjects(int[] truth, List<LabeledImage> data) {
        assertEquals(1, data.size());
        assertSameObjects(truth, data.get(0).labels());
    }

    private static void assertSameObjects(int[] truth, int[] labels) {
        assertEquals(Instances.count(truth), Instances.count(labels));
        InstanceMatching.Result m = InstanceMatching.match(truth, labels, 0.9);
        assertEquals(Instances.count(truth), m.truePositives(), "every object comes back with IoU >= 0.9");
    }
}
