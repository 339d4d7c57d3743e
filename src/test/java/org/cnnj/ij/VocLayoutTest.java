package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.cnnj.det.AnnotatedImage;
import org.junit.jupiter.api.Test;

/**
 * A Pascal VOC folder as the VOC devkit, CVAT's and datumaro's exports lay it out (make_voc_fixture.py): the images in
 * JPEGImages, their boxes in Annotations/X.xml, their instance masks in SegmentationObject/X.png with VOC's void band.
 */
class VocLayoutTest {
    private static final Path VOC = Path.of("src/test/resources/org/cnnj/ij/voc");
    private static final int W = 80, H = 56;

    /**
     * The palette PNG's objects, with the void band (index 255, 3 px wide along every outline) given back to the
     * objects and background it lies between: each object close to its true area (253, 400, 149 px; 205, 322, 113
     * outside the band), and no object 255.
     */
    @Test
    void segmentationObjectMasksAreTheLabelsWithTheirVoidBandFilled() throws Exception {
        int[] ids = TrainSegmentationFiles.objectLabels(VOC.resolve("JPEGImages/cells.jpg"));
        assertEquals(W * H, ids.length);
        int[] area = new int[256];
        for (int id : ids) area[id]++;
        assertEquals(0, area[255], "void is no object");
        int[] truth = {0, 253, 400, 149};
        for (int k = 1; k <= 3; k++)
            assertTrue(Math.abs(area[k] - truth[k]) <= 0.12 * truth[k], "object " + k + ": " + area[k] + " px");
        for (int k = 4; k < 255; k++) assertEquals(0, area[k], "no object " + k);
        assertEquals(2, ids[38 * W + 52], "inside the square");
        assertEquals(0, ids[50 * W + 5], "background");
    }

    @Test
    void boxesAreTakenFromAnnotationsBesideJpegImages() throws Exception {
        List<AnnotatedImage> data =
                TrainDetectorFiles.load(VOC.resolve("JPEGImages"), null, List.of("round", "square"));
        assertEquals(1, data.size());
        AnnotatedImage a = data.get(0);
        assertEquals(3, a.classes().length);
        assertArrayEquals(new int[] {0, 1, 0}, a.classes(), "round, square, round");
        assertEquals(40, a.boxes()[4], 1, "the square's left edge");
        assertEquals(65, a.boxes()[6], 1, "the square's right edge");
    }

    @Test
    void fillingVoidTakesTheNearestIdFromEachSide() {
        int[] row = {1, 255, 255, 255, 255, 0};
        LabelImages.fillVoid(row, 6, 1);
        assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0}, row);
        int[] all = {255, 255};
        LabelImages.fillVoid(all, 2, 1);
        assertArrayEquals(new int[] {0, 0}, all, "all void: background");
    }
}
