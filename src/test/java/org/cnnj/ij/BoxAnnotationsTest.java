package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ColorProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cnnj.det.AnnotatedImage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same three boxes of one 64 × 48 photo, written as labelImg (Pascal VOC), Roboflow (COCO), Ultralytics (YOLO
 * with data.yaml, images/ and labels/) and a spreadsheet (CSV) write them, read back as the same boxes; boxes of no
 * size or outside the image skipped with a warning naming file and box; a VOC file for another image size refused;
 * and the real BCCD annotations (labelImg's VOC) read as their README counts them.
 */
class BoxAnnotationsTest {
    @TempDir
    Path dir;

    /** x, y, width, height (0-based pixels) and class of the three boxes. */
    static final Object[][] BOXES = {{4, 6, 10, 8, "RBC"}, {30, 10, 20, 20, "WBC"}, {58, 40, 6, 8, "Platelets"}};

    static Path photo(Path folder, String name) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(name);
        ColorProcessor cp = new ColorProcessor(64, 48);
        cp.setColor(new java.awt.Color(180, 90, 120)); // a stained smear's colours (a grey JPEG opens as 8-bit)
        cp.fill();
        IJ.saveAs(new ImagePlus("photo", cp), "jpg", file.toString());
        return file;
    }

    static void assertTheThreeBoxes(List<Roi> rois, String format) {
        assertEquals(3, rois.size(), format);
        for (int i = 0; i < 3; i++) {
            var b = rois.get(i).getFloatBounds();
            assertArrayEquals(
                    new double[] {
                        ((Number) BOXES[i][0]).doubleValue(),
                        ((Number) BOXES[i][1]).doubleValue(),
                        ((Number) BOXES[i][2]).doubleValue(),
                        ((Number) BOXES[i][3]).doubleValue()
                    },
                    new double[] {b.getX(), b.getY(), b.getWidth(), b.getHeight()},
                    1e-6,
                    format + " box " + i);
            assertEquals(BOXES[i][4], rois.get(i).getName(), format);
        }
    }

    @Test
    void vocAsLabelImgWritesIt() throws IOException {
        Path image = photo(dir, "cells.jpg");
        StringBuilder objects = new StringBuilder();
        for (Object[] b : BOXES) {
            int x = (int) b[0], y = (int) b[1], w = (int) b[2], h = (int) b[3];
            objects.append("\t<object>\n\t\t<name>")
                    .append(b[4])
                    .append("</name>\n\t\t<pose>Unspecified</pose>\n")
                    .append("\t\t<truncated>0</truncated>\n\t\t<difficult>0</difficult>\n\t\t<bndbox>\n")
                    .append("\t\t\t<xmin>")
                    .append(x + 1)
                    .append("</xmin>\n\t\t\t<ymin>")
                    .append(y + 1)
                    .append("</ymin>\n\t\t\t<xmax>")
                    .append(x + w)
                    .append("</xmax>\n\t\t\t<ymax>")
                    .append(y + h)
                    .append("</ymax>\n\t\t</bndbox>\n\t</object>\n");
        }
        String zero = "\t<object>\n\t\t<name>RBC</name>\n\t\t<bndbox>\n\t\t\t<xmin>9</xmin>\n\t\t\t<ymin>9</ymin>\n"
                + "\t\t\t<xmax>9</xmax>\n\t\t\t<ymax>9</ymax>\n\t\t</bndbox>\n\t</object>\n";
        String xml = "<annotation>\n\t<folder>JPEGImages</folder>\n\t<filename>cells.jpg</filename>\n"
                + "\t<path>/home/someone/cells.jpg</path>\n\t<source>\n\t\t<database>Unknown</database>\n\t</source>\n"
                + "\t<size>\n\t\t<width>64</width>\n\t\t<height>48</height>\n\t\t<depth>3</depth>\n\t</size>\n"
                + "\t<segmented>0</segmented>\n" + objects + zero + "</annotation>\n";
        Files.writeString(dir.resolve("cells.xml"), xml);
        List<String> warnings = new ArrayList<>();
        BoxAnnotations a = new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, warnings::add);
        BoxAnnotations.Found found = a.forImage(image, 64, 48);
        assertEquals(dir.resolve("cells.xml"), found.file());
        assertTheThreeBoxes(found.rois(), "VOC");
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("cells.xml") && warnings.get(0).contains("no size"), warnings.toString());

        Files.writeString(dir.resolve("cells.xml"), xml.replace("<width>64</width>", "<width>640</width>"));
        var other = assertThrows(
                IllegalArgumentException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.VOC, warnings::add).forImage(image, 64, 48));
        assertTrue(
                other.getMessage().contains("640 × 48") && other.getMessage().contains("64 × 48"), other.getMessage());
        Files.writeString(dir.resolve("cells.xml"), "<annotation><object><name>RBC</name>");
        var broken = assertThrows(
                IOException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.VOC, warnings::add).forImage(image, 64, 48));
        assertTrue(
                broken.getMessage().contains("cells.xml") && broken.getMessage().contains("XML"), broken.getMessage());
    }

    @Test
    void cocoAsRoboflowExportsIt() throws IOException {
        Path image = photo(dir, "cells_jpg.rf.3f2a.jpg");
        StringBuilder annotations = new StringBuilder();
        String[] names = {"RBC", "WBC", "Platelets"};
        for (int i = 0; i < 3; i++) {
            Object[] b = BOXES[i];
            if (i > 0) annotations.append(",");
            annotations
                    .append("{\"id\":")
                    .append(i)
                    .append(",\"image_id\":0,\"category_id\":")
                    .append(i + 1)
                    .append(",\"bbox\":[")
                    .append(b[0])
                    .append(",")
                    .append(b[1])
                    .append(",")
                    .append(b[2])
                    .append(",")
                    .append(b[3])
                    .append("],\"area\":")
                    .append((int) b[2] * (int) b[3])
                    .append(",\"segmentation\":[],\"iscrowd\":0}");
        }
        Files.writeString(
                dir.resolve("_annotations.coco.json"),
                "{\"info\":{\"year\":\"2024\"},\"licenses\":[],"
                        + "\"categories\":[{\"id\":0,\"name\":\"cells\",\"supercategory\":\"none\"},"
                        + "{\"id\":1,\"name\":\"" + names[0] + "\",\"supercategory\":\"cells\"},"
                        + "{\"id\":2,\"name\":\"" + names[1] + "\",\"supercategory\":\"cells\"},"
                        + "{\"id\":3,\"name\":\"" + names[2] + "\",\"supercategory\":\"cells\"}],"
                        + "\"images\":[{\"id\":0,\"license\":1,\"file_name\":\"cells_jpg.rf.3f2a.jpg\",\"height\":48,\"width\":64}],"
                        + "\"annotations\":[" + annotations + "]}");
        Files.writeString(dir.resolve("cells.json"), "{\"format\": 1}"); // another JSON file: not COCO, left alone
        BoxAnnotations.Found found =
                new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, line -> {}).forImage(image, 64, 48);
        assertTheThreeBoxes(found.rois(), "COCO");
    }

    @Test
    void cocoInstanceOutlinesAsCvatExportsThem() throws IOException {
        Path image = photo(dir, "nuclei.jpg");
        String diamond = "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[12,12,16,16],\"area\":128,"
                + "\"segmentation\":[[20,12,28,20,20,28,12,20]],\"iscrowd\":0}";
        String cut = "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[54,30,14,10],\"area\":140,"
                + "\"segmentation\":[[54,30,68,30,68,40,54,40]],\"iscrowd\":0}";
        String crowd = "{\"id\":3,\"image_id\":1,\"category_id\":1,\"bbox\":[2,40,6,4],\"area\":24,"
                + "\"segmentation\":{\"counts\":[136,4,44,4,44,4,44,4,46,2,46,2,2692],\"size\":[48,64]},"
                + "\"iscrowd\":1}"; // an L in its box, column by column (CVAT's brush masks are written so)
        String astray = "{\"id\":4,\"image_id\":1,\"category_id\":1,\"bbox\":[40,2,8,8],\"area\":64,"
                + "\"segmentation\":[[2,2,8,2,8,8]],\"iscrowd\":0}";
        Files.writeString(
                dir.resolve("instances_default.json"),
                "{\"licenses\":[{\"name\":\"\",\"id\":0,\"url\":\"\"}],\"info\":{\"contributor\":\"\"},"
                        + "\"categories\":[{\"id\":1,\"name\":\"nucleus\",\"supercategory\":\"\"}],"
                        + "\"images\":[{\"id\":1,\"width\":64,\"height\":48,\"file_name\":\"nuclei.jpg\"}],"
                        + "\"annotations\":[" + String.join(",", diamond, cut, crowd, astray) + "]}");
        List<String> warnings = new ArrayList<>();
        List<Roi> rois = new BoxAnnotations(dir, BoxAnnotations.Format.COCO, warnings::add)
                .forImage(image, 64, 48)
                .rois();
        assertEquals(4, rois.size());
        assertTrue(rois.get(0).getType() != Roi.RECTANGLE, "the polygon is an outline: " + rois.get(0));
        assertArrayEquals(new float[] {12, 12, 28, 28}, DetectFiles.box(rois.get(0)), 1e-4f);
        assertArrayEquals(new float[] {54, 30, 64, 40}, DetectFiles.box(rois.get(1)), 1e-4f); // cut at the edge
        assertTrue(rois.get(2).getType() != Roi.RECTANGLE, "run-length encoded: its mask's outline");
        assertArrayEquals(new float[] {2, 40, 8, 44}, DetectFiles.box(rois.get(2)), 1e-4f);
        assertEquals(Roi.RECTANGLE, rois.get(3).getType(), "an outline outside its box: the box");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("annotation 4") && warnings.get(0).contains("outside its bbox"));
        // The outlines become the mask head's targets: the diamond's centre is object 1, its box's corner is not.
        int[] labels = TrainDetectorFiles.outlines(rois, 1, 64, 48);
        assertEquals(1, labels[20 * 64 + 20]);
        assertEquals(0, labels[13 * 64 + 13]);
        assertEquals(2, labels[35 * 64 + 60]);
        assertEquals(3, labels[41 * 64 + 3], "the L's upright");
        assertEquals(0, labels[40 * 64 + 7], "outside the L, inside its box");
        assertEquals(3, labels[43 * 64 + 7], "the L's foot");
        assertEquals(4 * 4 + 2 * 2, GeoJsonObjectsTest.count(labels, 3), "the mask's 20 pixels");
    }

    @Test
    void yoloAsUltralyticsLaysItOut() throws IOException {
        Path images = dir.resolve("train/images"), labels = Files.createDirectories(dir.resolve("train/labels"));
        Path image = photo(images, "cells.png");
        StringBuilder txt = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Object[] b = BOXES[i];
            double x = (int) b[0], y = (int) b[1], w = (int) b[2], h = (int) b[3];
            txt.append(i)
                    .append(' ')
                    .append((x + w / 2) / 64)
                    .append(' ')
                    .append((y + h / 2) / 48)
                    .append(' ')
                    .append(w / 64)
                    .append(' ')
                    .append(h / 48)
                    .append('\n');
        }
        txt.append("1 1.5 1.5 0.1 0.1\n"); // wholly outside: skipped with a warning
        Files.writeString(labels.resolve("cells.txt"), txt);
        Files.writeString(
                dir.resolve("data.yaml"), "path: .\ntrain: train/images\nnames:\n  0: RBC\n  1: WBC\n  2: Platelets\n");
        List<String> warnings = new ArrayList<>();
        BoxAnnotations.Found found =
                new BoxAnnotations(images, BoxAnnotations.Format.AUTO, warnings::add).forImage(image, 64, 48);
        assertTheThreeBoxes(found.rois(), "YOLO");
        assertTrue(warnings.get(0).contains("outside the 64 × 48 image"), warnings.toString());
        Files.delete(dir.resolve("data.yaml"));
        var names = assertThrows(
                IOException.class,
                () -> new BoxAnnotations(images, BoxAnnotations.Format.YOLO, line -> {}).forImage(image, 64, 48));
        assertTrue(names.getMessage().contains("data.yaml"), names.getMessage());
        Files.writeString(labels.resolve("classes.txt"), "RBC\nWBC\nPlatelets\n");
        assertTheThreeBoxes(
                new BoxAnnotations(images, BoxAnnotations.Format.YOLO, line -> {})
                        .forImage(image, 64, 48)
                        .rois(),
                "YOLO with classes.txt");
    }

    @Test
    void yoloSegmentationLinesAreOutlines() throws IOException {
        Path image = photo(dir, "cells.png");
        // Ultralytics YOLO-seg: "class x1 y1 x2 y2 x3 y3 x4 y4" relative to the image; a box line beside it.
        Files.writeString(dir.resolve("cells.txt"), "0 0.25 0.25 0.5 0.5 0.25 0.75 0.0 0.5\n1 0.75 0.5 0.25 0.5\n");
        Files.writeString(dir.resolve("classes.txt"), "nucleus\nWBC\n");
        List<Roi> rois = new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, line -> {})
                .forImage(image, 64, 48)
                .rois();
        assertEquals(2, rois.size());
        assertTrue(rois.get(0).getType() != Roi.RECTANGLE, "a polygon, not a box: " + rois.get(0));
        assertEquals("nucleus", rois.get(0).getName());
        assertArrayEquals(new float[] {0, 12, 32, 36}, DetectFiles.box(rois.get(0)), 1e-4f, "the diamond's bounds");
        assertArrayEquals(new float[] {40, 12, 56, 36}, DetectFiles.box(rois.get(1)), 1e-4f, "the box line");
        int[] labels = TrainDetectorFiles.outlines(rois, 1, 64, 48);
        assertEquals(1, labels[24 * 64 + 16], "the diamond's centre");
        assertEquals(0, labels[13 * 64 + 1], "its bounds' corner");
    }

    @Test
    void qupathGeoJsonBesideEachImage() throws IOException {
        Path a = photo(dir, "a.jpg"), b = photo(dir, "b.jpg");
        Files.writeString(dir.resolve("a.geojson"), GeoJsonObjectsTest.QUPATH_COLLECTION);
        Files.writeString(dir.resolve("b.json"), GeoJsonObjectsTest.QUPATH_ARRAY); // QuPath scripts name it either way
        Files.writeString(dir.resolve("c.json"), "{\"not\": \"geojson\"}");
        List<String> warnings = new ArrayList<>();
        BoxAnnotations annotations = new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, warnings::add);
        BoxAnnotations.Found fa = annotations.forImage(a, 64, 48), fb = annotations.forImage(b, 64, 48);
        assertEquals("a.geojson", fa.file().getFileName().toString());
        assertEquals(
                List.of("Nucleus", "Tumor: Positive"),
                fa.rois().stream().map(Roi::getName).toList());
        assertArrayEquals(
                new float[] {42, 40, 58, 48}, DetectFiles.box(fa.rois().get(1)), 1e-4f, "cut at the edge");
        assertEquals("b.json", fb.file().getFileName().toString());
        assertArrayEquals(
                new float[] {2, 2, 6, 6},
                DetectFiles.box(fb.rois().get(0)),
                1e-4f,
                "its part outside the image cut off");
        Path c = photo(dir, "c.jpg");
        assertEquals(null, annotations.forImage(c, 64, 48), "a JSON file that is not GeoJSON is not its annotation");
        assertTrue(annotations.lookedFor(c).contains("c.geojson (QuPath)"), annotations.lookedFor(c));
    }

    /** CVAT 2.x, "CVAT for images 1.1": one annotations.xml for the task, every shape kind it writes. */
    static final String CVAT_XML = """
            <?xml version="1.0" encoding="utf-8"?>
            <annotations>
              <version>1.1</version>
              <meta><task><id>3</id><name>smears</name><size>2</size><mode>annotation</mode>
                <labels><label><name>RBC</name><type>any</type></label></labels></task></meta>
              <image id="0" name="train/a.jpg" width="64" height="48">
                <box label="RBC" source="manual" occluded="0" xtl="4.00" ytl="6.00" xbr="14.00" ybr="14.00" z_order="0">
                </box>
                <box label="WBC" source="manual" occluded="0" xtl="30" ytl="10" xbr="50" ybr="30" rotation="90.0"
                     z_order="0"></box>
                <polygon label="Platelets" source="manual" occluded="0" points="58.0,40.0;64.0,44.0;58.0,48.0"
                     z_order="0"></polygon>
                <mask label="RBC" source="manual" occluded="0" rle="1, 2, 1, 4, 1, 2, 1" left="10" top="20"
                     width="4" height="3" z_order="0"></mask>
                <ellipse label="WBC" source="manual" occluded="0" cx="40" cy="38" rx="6" ry="3" z_order="0"></ellipse>
                <points label="RBC" source="manual" occluded="0" points="5.0,5.0" z_order="0"></points>
                <tag label="blurry" source="manual"></tag>
              </image>
              <image id="1" name="b.jpg" width="128" height="96"></image>
            </annotations>
            """;

    @Test
    void cvatXmlAsCvatExportsIt() throws IOException {
        Path a = photo(dir, "a.jpg"), b = photo(dir, "b.jpg");
        Files.writeString(dir.resolve("annotations.xml"), CVAT_XML);
        List<String> warnings = new ArrayList<>();
        BoxAnnotations annotations = new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, warnings::add);
        List<Roi> rois = annotations.forImage(a, 64, 48).rois();
        assertEquals(
                List.of("RBC", "WBC", "Platelets", "RBC", "WBC"),
                rois.stream().map(Roi::getName).toList());
        assertArrayEquals(new float[] {4, 6, 14, 14}, DetectFiles.box(rois.get(0)), 1e-4f, "a box");
        assertArrayEquals(new float[] {30, 10, 50, 30}, DetectFiles.box(rois.get(1)), 1e-3f, "a square turned 90°");
        assertArrayEquals(new float[] {58, 40, 64, 48}, DetectFiles.box(rois.get(2)), 1e-4f, "a polygon");
        assertArrayEquals(new float[] {10, 20, 14, 23}, DetectFiles.box(rois.get(3)), 1e-4f, "a brush mask");
        assertArrayEquals(new float[] {34, 35, 46, 41}, DetectFiles.box(rois.get(4)), 1e-3f, "an ellipse");
        int[] labels = TrainDetectorFiles.outlines(rois, 1, 64, 48);
        assertEquals(4, labels[20 * 64 + 11], "the mask's first row: 0 1 1 0");
        assertEquals(0, labels[20 * 64 + 10]);
        assertEquals(4, labels[21 * 64 + 10], "its second row: 1 1 1 1");
        assertEquals(0, labels[22 * 64 + 13], "its third row: 0 1 1 0");
        assertEquals(8, GeoJsonObjectsTest.count(labels, 4));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("a.jpg, points \"RBC\"")
                && warnings.get(0).contains("skipped"));
        var e = assertThrows(IllegalArgumentException.class, () -> annotations.forImage(b, 64, 48));
        assertTrue(
                e.getMessage().contains("annotations.xml describes b.jpg as 128 × 96 but it is 64 × 48"),
                e.getMessage());
        Files.writeString(
                dir.resolve("video.xml"),
                "<annotations><version>1.1</version><track id=\"0\" label=\"RBC\"></track></annotations>");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.CVAT, w -> {}).forImage(a, 64, 48));
        assertTrue(e.getMessage().contains("video.xml is CVAT for video"), e.getMessage());
    }

    @Test
    void csvWithCornersOrSizes() throws IOException {
        Path image = photo(dir, "cells.tif");
        Files.writeString(
                dir.resolve("boxes.csv"),
                csv("image,x,y,width,height,class", b -> List.of("cells.tif", b[0], b[1], b[2], b[3], b[4])));
        assertTheThreeBoxes(
                new BoxAnnotations(dir, BoxAnnotations.Format.CSV, line -> {})
                        .forImage(image, 64, 48)
                        .rois(),
                "CSV");
        Files.writeString(
                dir.resolve("boxes.csv"),
                csv(
                        "filename,xmin,ymin,xmax,ymax,label",
                        b -> List.of("cells.tif", b[0], b[1], right(b), bottom(b), b[4])));
        assertTheThreeBoxes(
                new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, line -> {})
                        .forImage(image, 64, 48)
                        .rois(),
                "CSV with corners");
        // TensorFlow's object detection CSV (Roboflow's _annotations.csv): width and height are the image's; the
        // file names as a script on Windows writes them.
        Files.writeString(
                dir.resolve("boxes.csv"),
                csv(
                        "filename,width,height,class,xmin,ymin,xmax,ymax",
                        b -> List.of(
                                "C:\\Users\\lab\\smears\\cells.tif", 64, 48, b[4], b[0], b[1], right(b), bottom(b))));
        assertTheThreeBoxes(
                new BoxAnnotations(dir, BoxAnnotations.Format.CSV, line -> {})
                        .forImage(image, 64, 48)
                        .rois(),
                "TensorFlow CSV");
    }

    /** A CSV file of the three boxes: the header, then each box's fields. */
    private static String csv(String header, Function<Object[], List<Object>> row) {
        StringBuilder out = new StringBuilder(header).append('\n');
        for (Object[] b : BOXES)
            out.append(row.apply(b).stream().map(String::valueOf).collect(Collectors.joining(",")))
                    .append('\n');
        return out.toString();
    }

    private static int right(Object[] box) {
        return (int) box[0] + (int) box[2];
    }

    private static int bottom(Object[] box) {
        return (int) box[1] + (int) box[3];
    }

    /** Train Detector reads a folder of JPEG photos with VOC files; an image without boxes is named with what was looked for. */
    @Test
    void trainDetectorReadsPhotosWithVocFiles() throws IOException {
        Path folder = dir.resolve("set");
        photo(folder, "cells.jpg");
        Files.writeString(
                folder.resolve("cells.xml"),
                "<annotation><size><width>64</width><height>48</height></size>"
                        + "<object><name>WBC</name><bndbox><xmin>31</xmin><ymin>11</ymin><xmax>50</xmax><ymax>30</ymax>"
                        + "</bndbox></object></annotation>");
        List<AnnotatedImage> data = TrainDetectorFiles.load(folder, folder, List.of("RBC", "WBC"));
        assertEquals(1, data.size());
        assertEquals(3, data.get(0).channels().length, "a colour photo is red, green and blue");
        assertArrayEquals(new float[] {30, 10, 50, 30}, data.get(0).boxes(), 1e-6f);
        assertArrayEquals(new int[] {1}, data.get(0).classes());
        photo(folder, "unannotated.jpg");
        var none = assertThrows(IOException.class, () -> TrainDetectorFiles.load(folder, folder, List.of("WBC")));
        assertTrue(
                none.getMessage().contains("unannotated.jpg")
                        && none.getMessage().contains("unannotated.xml"),
                none.getMessage());
    }

    /** The real BCCD annotations (labelImg's VOC beside JPEG photos), as its README counts them. */
    @Test
    void bccdReadsAsItsReadmeCountsIt() throws IOException {
        Path val = Path.of("../shared/data/bccd/val");
        Assumptions.assumeTrue(Files.isDirectory(val), "../shared/data/bccd absent: the real-data check is skipped");
        List<AnnotatedImage> data = TrainDetectorFiles.load(val, val, List.of("Platelets", "RBC", "WBC"));
        assertEquals(87, data.size());
        int[] perClass = new int[3];
        for (AnnotatedImage d : data) for (int c : d.classes()) perClass[c]++;
        // The XML files hold 968 RBC objects, one a zero-size click (skipped): the README's 967, 87 WBC, 83 Platelets.
        assertArrayEquals(new int[] {83, 967, 87}, perClass);
    }
}
