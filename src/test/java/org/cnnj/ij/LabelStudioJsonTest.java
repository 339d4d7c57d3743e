package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Roi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Label Studio's JSON export as its Export › JSON writes it: tasks with data (an uploaded image's path, its 8-character
 * prefix), annotations (a cancelled one first) and predictions; results in percent of the image — rectangles (one
 * turned 90° about its top-left corner, as Label Studio turns them), polygons, ellipses, a plain rectangle without a
 * label, a brush skipped with a warning that says how to export masks; predictions are not read.
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
                  {"original_width": 64, "original_height": 48, "image_rotation": 0, "value": {"format": "rle",
                   "rle": [0, 1, 2], "brushlabels": ["RBC"]},
                   "id": "a6", "from_name": "brush", "to_name": "image", "type": "brushlabels", "origin": "manual"}]}],
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
        assertTrue(warnings.get(0).contains("result 6 (brushlabels \"RBC\")")
                && warnings.get(0).contains("COCO"));
    }
}
