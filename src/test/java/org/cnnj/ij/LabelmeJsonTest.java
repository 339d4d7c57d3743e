package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Roi;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * labelme's NAME.json as labelme 5 saves it beside each image (version, flags, shapes with label, points, group_id,
 * description, shape_type, flags, mask; imagePath, imageData, imageHeight, imageWidth): polygons, rectangles drawn
 * either way, circles, masks (a 0/1 PNG in base64, as labelme's img_arr_to_b64 writes it), parts of one object by
 * group_id, points and lines skipped with a warning, another image size refused, a labelme file not taken for COCO.
 */
class LabelmeJsonTest {
    @TempDir
    Path dir;

    /** A 4 × 4 plus sign (0/1 grey values, 8-bit PNG) in base64. */
    static String plusPng() throws IOException {
        BufferedImage mask = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 4; i++) {
            mask.getRaster().setSample(1, i, 0, 1);
            mask.getRaster().setSample(i, 1, 0, 1);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(mask, "png", png);
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    static String shape(String label, String points, Object group, String type, String mask) {
        return "{\"label\": \"" + label + "\", \"points\": " + points + ", \"group_id\": " + group
                + ", \"description\": \"\", \"shape_type\": \"" + type + "\", \"flags\": {}, \"mask\": "
                + (mask == null ? "null" : "\"" + mask + "\"") + "}";
    }

    static String file(String image, int width, int height, String... shapes) {
        return "{\"version\": \"5.5.0\", \"flags\": {}, \"shapes\": [" + String.join(",\n", shapes)
                + "], \"imagePath\": \"" + image + "\", \"imageData\": null, \"imageHeight\": " + height
                + ", \"imageWidth\": " + width + "}";
    }

    @Test
    void shapesAsLabelmeSavesThem() throws IOException {
        Path image = BoxAnnotationsTest.photo(dir, "cells.jpg");
        Files.writeString(
                dir.resolve("cells.json"),
                file(
                        "cells.jpg",
                        64,
                        48,
                        shape("RBC", "[[20.0, 12.0], [28.0, 20.0], [20.0, 28.0], [12.0, 20.0]]", null, "polygon", null),
                        shape("WBC", "[[50.0, 30.0], [30.0, 10.0]]", null, "rectangle", null), // drawn up and left
                        shape("Platelets", "[[40.0, 40.0], [43.0, 44.0]]", null, "circle", null),
                        shape("RBC", "[[2, 2], [6, 2], [6, 6], [2, 6]]", 1, "polygon", null),
                        shape("RBC", "[[8, 2], [12, 2], [12, 6], [8, 6]]", 1, "polygon", null),
                        shape("WBC", "[[50, 40], [53, 43]]", null, "mask", plusPng()),
                        shape("marker", "[[5.0, 40.0]]", null, "point", null),
                        shape("RBC", "[[58, 36], [62, 40], [58, 44], [54, 40]]", null, "rotation", null),
                        shape("axis", "[[1.0, 1.0], [9.0, 9.0]]", null, "line", null)));
        List<String> warnings = new ArrayList<>();
        BoxAnnotations.Found found =
                new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, warnings::add).forImage(image, 64, 48);
        assertEquals(BoxAnnotations.Format.LABELME, found.format());
        assertFalse(found.boxesOnly());
        List<Roi> rois = found.rois();
        assertEquals(
                List.of("RBC", "WBC", "Platelets", "RBC", "WBC", "RBC"),
                rois.stream().map(Roi::getName).toList());
        assertArrayEquals(new float[] {12, 12, 28, 28}, DetectFiles.box(rois.get(0)), 1e-4f, "a polygon");
        assertEquals(Roi.RECTANGLE, rois.get(1).getType());
        assertArrayEquals(new float[] {30, 10, 50, 30}, DetectFiles.box(rois.get(1)), 1e-4f, "a rectangle");
        assertArrayEquals(new float[] {35, 35, 45, 45}, DetectFiles.box(rois.get(2)), 1e-3f, "a circle of radius 5");
        assertArrayEquals(new float[] {2, 2, 12, 6}, DetectFiles.box(rois.get(3)), 1e-4f, "two parts, group_id 1");
        assertArrayEquals(new float[] {50, 40, 54, 44}, DetectFiles.box(rois.get(4)), 1e-4f, "a mask");
        assertArrayEquals(new float[] {54, 36, 62, 44}, DetectFiles.box(rois.get(5)), 1e-4f, "a box turned 45°");
        int[] labels = TrainDetectorFiles.outlines(rois, 1, 64, 48);
        assertEquals(4, labels[3 * 64 + 4], "one object of two parts: its first part");
        assertEquals(4, labels[3 * 64 + 10], "and its second");
        assertEquals(0, labels[3 * 64 + 7], "not the gap between them");
        assertEquals(5, labels[41 * 64 + 50], "the mask's plus: its arm");
        assertEquals(0, labels[40 * 64 + 50], "not its corner");
        assertEquals(7, GeoJsonObjectsTest.count(labels, 5), "the plus's 7 pixels");
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("cells.json: shape 7 \"marker\" is a point")
                && warnings.get(0).contains("skipped"));
        assertTrue(warnings.get(1).contains("shape 9 \"axis\" is a line"));
    }

    @Test
    void boxesOnlyOtherSizesAndFilesThatAreNotLabelme() throws IOException {
        Path image = BoxAnnotationsTest.photo(dir, "a.jpg"), other = BoxAnnotationsTest.photo(dir, "b.jpg");
        Path free = BoxAnnotationsTest.photo(dir, "c.jpg");
        Files.writeString(
                dir.resolve("a.json"),
                file("a.jpg", 64, 48, shape("RBC", "[[4, 6], [14, 14]]", null, "rectangle", null)));
        Files.writeString(
                dir.resolve("b.json"),
                file("b.jpg", 640, 480, shape("RBC", "[[4, 6], [14, 14]]", null, "rectangle", null)));
        BoxAnnotations annotations = new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, w -> {});
        BoxAnnotations.Found found = annotations.forImage(image, 64, 48);
        assertTrue(found.boxesOnly(), "rectangles alone: nothing to segment");
        assertArrayEquals(
                new float[] {4, 6, 14, 14}, DetectFiles.box(found.rois().get(0)), 1e-4f);
        var e = assertThrows(IllegalArgumentException.class, () -> annotations.forImage(other, 64, 48));
        assertTrue(e.getMessage().contains("b.json describes b.jpg as 640 × 480 but it is 64 × 48"), e.getMessage());
        // An image without its own file: the folder's JSON files are looked through for COCO or VIA, and labelme's
        // per-image files are neither.
        assertNull(annotations.forImage(free, 64, 48));
        Files.writeString(dir.resolve("c.json"), "{\"shapes\": [");
        var broken = assertThrows(
                IllegalArgumentException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.LABELME, w -> {}).forImage(free, 64, 48));
        assertTrue(broken.getMessage().contains("c.json is not valid JSON"), broken.getMessage());
        assertTrue(new BoxAnnotations(dir, BoxAnnotations.Format.LABELME, w -> {})
                .lookedFor(free)
                .contains("c.json (labelme)"));
    }

    /**
     * A file labelme 5.1.1's own code wrote (make_labelme_fixture.py: LabelFile.save, shapes as its Save formats them,
     * the image embedded) read into the objects labelme's own shapes_to_label draws from it — polygon, rectangle, circle,
     * the two parts sharing a group_id as one, not the point — up to the pixels on their edges: labelme's canvas shows
     * pixel i over [i, i + 1) as ImageJ does, and CNN-J reads the points so, while its PIL masks put pixel centres on
     * whole coordinates and add the outline (IoU 0.75–1.0 on these small shapes). Each of ours holds all of labelme's
     * object but its one-pixel rim, and reaches no further than one pixel beyond it.
     */
    @Test
    void aFileLabelmeItselfWroteGivesTheInstancesLabelmeDraws() throws IOException {
        Path fixtures = Path.of("src/test/resources/org/cnnj/ij/labelme");
        for (String f : List.of("cells.png", "cells.json")) Files.copy(fixtures.resolve(f), dir.resolve(f));
        int[] ours = TrainSegmentationFiles.objectLabels(dir.resolve("cells.png"));
        var expected = Tiffs.open(fixtures.resolve("cells-expected.png")).getProcessor();
        int w = expected.getWidth(), h = expected.getHeight();
        int n = 0;
        for (int id : ours) n = Math.max(n, id);
        assertEquals(4, n, "polygon, rectangle, circle, the grouped pair; not the point");
        for (int e = 1; e <= 4; e++) {
            int mine = 0; // our object under labelme's instance e
            for (int i = 0; i < ours.length && mine == 0; i++) if ((int) expected.getf(i) == e) mine = ours[i];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    boolean theirs = (int) expected.getf(x, y) == e, inner = theirs, near = theirs;
                    for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                        boolean neighbour = (int) expected.getPixelValue(x + d[0], y + d[1]) == e;
                        inner &= neighbour;
                        near |= neighbour;
                    }
                    boolean ourPixel = mine > 0 && ours[y * w + x] == mine;
                    assertTrue(
                            !ourPixel || near, "instance " + e + ": ours reaches beyond labelme's at " + x + "," + y);
                    assertTrue(
                            !inner || ourPixel, "instance " + e + ": ours misses labelme's inner pixel " + x + "," + y);
                }
        }
    }
}
