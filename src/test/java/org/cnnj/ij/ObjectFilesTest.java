package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.io.Opener;
import ij.io.TiffDecoder;
import ij.measure.Calibration;
import ij.process.ShortProcessor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.cnnj.det.Detection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Results other tools read: GeoJSON as QuPath imports it, COCO as pycocotools reads it, OME-TIFF with pixel size and
 * channel names. Each is written, read back as those formats define it (polygons rasterized again, the OME-XML
 * parsed, the planes read by ImageJ and, where Python's tifffile is installed, by it) and compared.
 */
class ObjectFilesTest {
    static final int W = 40, H = 30;

    @TempDir
    Path dir;

    /** A square, a ring (a hole in it), and one label in two pieces apart (a label image may hold such). */
    static int[] labels() {
        int[] l = new int[W * H];
        for (int y = 2; y < 8; y++) for (int x = 2; x < 9; x++) l[y * W + x] = 1;
        for (int y = 10; y < 22; y++)
            for (int x = 12; x < 26; x++) if (y < 14 || y >= 18 || x < 16 || x >= 22) l[y * W + x] = 2;
        for (int y = 3; y < 6; y++) for (int x = 30; x < 33; x++) l[y * W + x] = 3;
        for (int y = 6; y < 9; y++) for (int x = 34; x < 37; x++) l[y * W + x] = 3;
        return l;
    }

    /** The pixels inside a GeoJSON Polygon or MultiPolygon (exteriors filled, holes cut out). */
    static boolean[] rasterize(JsonObject geometry) {
        boolean[] in = new boolean[W * H];
        JsonArray coords = geometry.getAsJsonArray("coordinates");
        List<JsonArray> polygons = new ArrayList<>();
        if (geometry.get("type").getAsString().equals("Polygon")) polygons.add(coords);
        else for (JsonElement p : coords) polygons.add(p.getAsJsonArray());
        for (JsonArray polygon : polygons) {
            for (int r = 0; r < polygon.size(); r++) {
                JsonArray ring = polygon.get(r).getAsJsonArray();
                JsonArray first = ring.get(0).getAsJsonArray(),
                        last = ring.get(ring.size() - 1).getAsJsonArray();
                assertEquals(first, last, "rings are closed");
                float[] x = new float[ring.size() - 1], y = new float[ring.size() - 1];
                double twiceArea = 0;
                for (int i = 0; i < x.length; i++) {
                    JsonArray p = ring.get(i).getAsJsonArray(),
                            q = ring.get(i + 1).getAsJsonArray();
                    x[i] = p.get(0).getAsFloat();
                    y[i] = p.get(1).getAsFloat();
                    twiceArea += p.get(0).getAsDouble() * q.get(1).getAsDouble()
                            - q.get(0).getAsDouble() * p.get(1).getAsDouble();
                }
                assertEquals(r == 0, twiceArea > 0, "RFC 7946: exteriors counter-clockwise, holes clockwise");
                Roi roi = new PolygonRoi(x, y, Roi.POLYGON);
                var mask = roi.getMask();
                var b = roi.getBounds();
                for (int yy = 0; yy < b.height; yy++)
                    for (int xx = 0; xx < b.width; xx++)
                        if (mask == null || mask.get(xx, yy) != 0) in[(b.y + yy) * W + b.x + xx] = r == 0;
            }
        }
        return in;
    }

    @Test
    void geoJsonAndCocoGiveBackEveryObjectsPixels() throws Exception {
        int[] labels = labels();
        Calibration cal = new Calibration();
        cal.pixelWidth = cal.pixelHeight = 0.5;
        cal.setUnit("micron");
        List<Roi> rois = LabelResults.rois(labels, W, H, 0);
        List<LabelResults.Measurement> rows = LabelResults.measure(labels, new float[W * H], W, H, cal, 0);
        SegmentFiles.Output out = new SegmentFiles.Output(
                new ImagePlus("cells-labels", new ShortProcessor(W, H)), null, rois, rows, rows.size());
        List<ObjectFiles.Shape> shapes = SegmentFiles.shapes(out, cal);
        JsonObject geo = JsonParser.parseString(
                        new String(ObjectFiles.geoJson(shapes, "cells"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertEquals("FeatureCollection", geo.get("type").getAsString());
        JsonArray features = geo.getAsJsonArray("features");
        assertEquals(3, features.size());
        for (JsonElement f : features) {
            JsonObject feature = f.getAsJsonObject(), properties = feature.getAsJsonObject("properties");
            int label = Integer.parseInt(properties.get("name").getAsString());
            boolean[] inside = rasterize(feature.getAsJsonObject("geometry"));
            for (int i = 0; i < inside.length; i++)
                assertEquals(labels[i] == label, inside[i], "object " + label + " at pixel " + i);
            assertEquals("detection", properties.get("objectType").getAsString(), "QuPath's object type");
            assertEquals(
                    rows.get(label - 1).area(),
                    properties.getAsJsonObject("measurements").get("area_um2").getAsDouble(),
                    1e-9);
        }
        assertEquals(
                "Polygon",
                features.get(1)
                        .getAsJsonObject()
                        .getAsJsonObject("geometry")
                        .get("type")
                        .getAsString());
        assertEquals(
                2,
                features.get(1)
                        .getAsJsonObject()
                        .getAsJsonObject("geometry")
                        .getAsJsonArray("coordinates")
                        .size(),
                "the ring: an exterior and its hole");
        assertEquals(
                "MultiPolygon",
                features.get(2)
                        .getAsJsonObject()
                        .getAsJsonObject("geometry")
                        .get("type")
                        .getAsString(),
                "two pieces apart");

        JsonObject coco = JsonParser.parseString(
                        new String(ObjectFiles.coco(shapes, "cells.tif", W, H), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonObject image = coco.getAsJsonArray("images").get(0).getAsJsonObject();
        assertEquals(W, image.get("width").getAsInt());
        JsonArray annotations = coco.getAsJsonArray("annotations");
        assertEquals(3, annotations.size());
        int[][] boxes = {{2, 2, 7, 6}, {12, 10, 14, 12}, {30, 3, 7, 6}};
        int[] areas = {42, 14 * 12 - 6 * 4, 18};
        for (int a = 0; a < 3; a++) {
            JsonObject ann = annotations.get(a).getAsJsonObject();
            assertEquals(areas[a], ann.get("area").getAsInt(), "area: the object's pixels");
            JsonArray bbox = ann.getAsJsonArray("bbox");
            for (int k = 0; k < 4; k++) assertEquals(boxes[a][k], bbox.get(k).getAsDouble(), 1e-9, "bbox " + a);
            assertEquals(1, ann.get("category_id").getAsInt());
        }
        // The square's COCO polygon (x1, y1, x2, y2, …) rasterizes to its pixels.
        JsonArray poly = annotations
                .get(0)
                .getAsJsonObject()
                .getAsJsonArray("segmentation")
                .get(0)
                .getAsJsonArray();
        float[] x = new float[poly.size() / 2], y = new float[poly.size() / 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = poly.get(2 * i).getAsFloat();
            y[i] = poly.get(2 * i + 1).getAsFloat();
        }
        assertEquals(42, ObjectFiles.area(new PolygonRoi(x, y, Roi.POLYGON)));
        assertEquals(
                "object",
                coco.getAsJsonArray("categories")
                        .get(0)
                        .getAsJsonObject()
                        .get("name")
                        .getAsString());
    }

    @Test
    void detectionsKeepTheirClassAndScore() {
        List<Roi> rois = List.of(
                DetectFiles.roi(new Detection(0, "round", 0.93f, 1, 2, 11, 7), 0),
                DetectFiles.roi(new Detection(1, "elongated cell", 0.5f, 20, 5, 30, 25), 0));
        List<ObjectFiles.Shape> shapes = DetectFiles.shapes(rois);
        JsonObject coco = JsonParser.parseString(
                        new String(ObjectFiles.coco(shapes, "scene.tif", W, H), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonObject second = coco.getAsJsonArray("annotations").get(1).getAsJsonObject();
        assertEquals(0.5, second.get("score").getAsDouble(), 1e-6);
        assertEquals(2, second.get("category_id").getAsInt());
        assertEquals(200, second.get("area").getAsInt());
        assertEquals(
                "elongated cell",
                coco.getAsJsonArray("categories")
                        .get(1)
                        .getAsJsonObject()
                        .get("name")
                        .getAsString());
        JsonObject geo = JsonParser.parseString(
                        new String(ObjectFiles.geoJson(shapes, "scene"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonObject props =
                geo.getAsJsonArray("features").get(0).getAsJsonObject().getAsJsonObject("properties");
        assertEquals(
                "round", props.getAsJsonObject("classification").get("name").getAsString());
        assertEquals(
                3,
                props.getAsJsonObject("classification").getAsJsonArray("color").size());
        assertEquals(0.93, props.getAsJsonObject("measurements").get("score").getAsDouble(), 1e-6);
    }

    @Test
    void omeTiffKeepsPixelSizeChannelNamesAndPlaneOrder() throws Exception {
        int c = 2, z = 3;
        ImageStack stack = new ImageStack(W, H);
        for (int i = 0; i < c * z; i++) {
            short[] p = new short[W * H];
            for (int k = 0; k < p.length; k++) p[k] = (short) (1000 * i + k);
            stack.addSlice(new ShortProcessor(W, H, p, null));
        }
        ImagePlus imp = new ImagePlus("probabilities", stack);
        imp.setDimensions(c, z, 1);
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = cal.pixelHeight = 0.325;
        cal.pixelDepth = 2;
        cal.setUnit("µm");
        Path file = dir.resolve("p.ome.tif");
        OmeTiff.save(imp, List.of("background", "nuclei & more"), file);

        String description = new TiffDecoder(dir.toString(), "p.ome.tif").getTiffInfo()[0].description;
        Document xml = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(description.getBytes(StandardCharsets.UTF_8)));
        Element pixels = (Element) xml.getElementsByTagName("Pixels").item(0);
        assertEquals(
                "http://www.openmicroscopy.org/Schemas/OME/2016-06",
                xml.getDocumentElement().getAttribute("xmlns"));
        assertEquals(
                Map.of("C", "2", "Z", "3", "T", "1", "X", "" + W, "Y", "" + H),
                Map.of(
                        "C", pixels.getAttribute("SizeC"),
                        "Z", pixels.getAttribute("SizeZ"),
                        "T", pixels.getAttribute("SizeT"),
                        "X", pixels.getAttribute("SizeX"),
                        "Y", pixels.getAttribute("SizeY")));
        assertEquals("XYCZT", pixels.getAttribute("DimensionOrder"));
        assertEquals("0.325", pixels.getAttribute("PhysicalSizeX"));
        assertEquals("µm", pixels.getAttribute("PhysicalSizeXUnit"));
        assertEquals("2.0", pixels.getAttribute("PhysicalSizeZ"));
        assertEquals("uint16", pixels.getAttribute("Type"));
        assertEquals(
                "nuclei & more", ((Element) xml.getElementsByTagName("Channel").item(1)).getAttribute("Name"));

        ImagePlus back = new Opener().openImage(file.toString());
        assertEquals(c * z, back.getStackSize());
        for (int i = 0; i < c * z; i++)
            assertArrayEquals(
                    (short[]) stack.getPixels(i + 1), (short[]) back.getStack().getPixels(i + 1), "plane " + i);

        // Python's tifffile (what napari and most Python code read OME-TIFF with), where it is installed.
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3: tifffile check skipped");
        Process p = new ProcessBuilder(
                        python.toString(),
                        "-c",
                        "import sys, tifffile\n"
                                + "t = tifffile.TiffFile(sys.argv[1]); s = t.series[0]\n"
                                + "print(t.is_ome, s.axes, s.shape, int(s.asarray()[2, 1, 3, 4]))",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeFalse(said.contains("No module named"), "tifffile is not installed: " + said);
        // Plane (c=1, z=2) is the 6th in XYCZT order: index 1 + 2·2 = 5.
        assertEquals("True ZCYX (3, 2, " + H + ", " + W + ") " + (5000 + 3 * W + 4), said);
    }
}
