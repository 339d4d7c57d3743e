package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * The VGG Image Annotator's JSON as VIA 2.0.x exports it (Annotation › Export as JSON: images keyed by file name and
 * size, regions with shape_attributes and region_attributes), as a saved VIA 2 project holds it (_via_img_metadata
 * beside _via_settings and _via_attributes) and as VIA 1 wrote regions (keyed "0", "1", …): rects, circles, rotated
 * ellipses, polygons; the class from the one attribute or the one named like a class, a checkbox's ticked option;
 * points and polylines skipped with a warning.
 */
class ViaJsonTest {
    @TempDir
    Path dir;

    /** VIA 2.0.10's "Export as JSON" for a.jpg (10,345 bytes): four regions, the class in a text attribute "name". */
    static final String VIA2_EXPORT = """
            {"a.jpg10345":{"filename":"a.jpg","size":10345,"regions":[
              {"shape_attributes":{"name":"rect","x":4,"y":6,"width":10,"height":8},"region_attributes":{"name":"RBC"}},
              {"shape_attributes":{"name":"polygon","all_points_x":[30,50,50,30],"all_points_y":[10,10,30,30]},
               "region_attributes":{"name":"WBC"}},
              {"shape_attributes":{"name":"circle","cx":40,"cy":40,"r":5},"region_attributes":{"name":"Platelets"}},
              {"shape_attributes":{"name":"ellipse","cx":20,"cy":38,"rx":6,"ry":2,"theta":1.5707963267948966},
               "region_attributes":{"name":"RBC"}},
              {"shape_attributes":{"name":"point","cx":5,"cy":40},"region_attributes":{"name":"marker"}}],
             "file_attributes":{}}}""";

    /** A saved VIA 2 project: a radio attribute "type" beside a text "note"; VIA 1's regions keyed "0", "1". */
    static final String VIA2_PROJECT = """
            {"_via_settings":{"ui":{"annotation_editor_height":25},"core":{"buffer_size":18,"filepath":{},
               "default_filepath":""},"project":{"name":"smears"}},
             "_via_img_metadata":{
               "b.png2048":{"filename":"images/b.png","size":2048,"regions":{
                 "0":{"shape_attributes":{"name":"rect","x":1,"y":1,"width":4,"height":4},
                      "region_attributes":{"type":"WBC","note":"big"}},
                 "1":{"shape_attributes":{"name":"polyline","all_points_x":[1,9],"all_points_y":[1,9]},
                      "region_attributes":{"type":"RBC","note":""}},
                 "2":{"shape_attributes":{"name":"rect","x":20,"y":20,"width":6,"height":6},
                      "region_attributes":{"class":{"RBC":false,"Platelets":true}}},
                 "3":{"shape_attributes":{"name":"rect","x":30,"y":30,"width":6,"height":6},
                      "region_attributes":{}}},
               "file_attributes":{}}},
             "_via_attributes":{"region":{"type":{"type":"radio","description":"",
               "options":{"WBC":"","RBC":""},"default_options":{}},"note":{"type":"text","description":"",
               "default_value":""}},"file":{}},
             "_via_data_format_version":"2.0.10","_via_image_id_list":["b.png2048"]}""";

    @Test
    void exportAsVia2WritesIt() throws IOException {
        Path image = BoxAnnotationsTest.photo(dir, "a.jpg");
        Files.writeString(dir.resolve("via_region_data.json"), VIA2_EXPORT);
        List<String> warnings = new ArrayList<>();
        BoxAnnotations.Found found =
                new BoxAnnotations(dir, BoxAnnotations.Format.AUTO, warnings::add).forImage(image, 64, 48);
        assertEquals(BoxAnnotations.Format.VIA, found.format());
        List<Roi> rois = found.rois();
        assertEquals(
                List.of("RBC", "WBC", "Platelets", "RBC"),
                rois.stream().map(Roi::getName).toList());
        assertEquals(Roi.RECTANGLE, rois.get(0).getType());
        assertArrayEquals(new float[] {4, 6, 14, 14}, DetectFiles.box(rois.get(0)), 1e-4f, "a rect");
        assertArrayEquals(new float[] {30, 10, 50, 30}, DetectFiles.box(rois.get(1)), 1e-4f, "a polygon");
        assertArrayEquals(new float[] {35, 35, 45, 45}, DetectFiles.box(rois.get(2)), 1e-3f, "a circle");
        assertArrayEquals(new float[] {18, 32, 22, 44}, DetectFiles.box(rois.get(3)), 1e-3f, "an ellipse turned 90°");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("via_region_data.json: a.jpg, region 5 \"marker\" is a point"));
        assertTrue(found.boxesOnly() == false);
    }

    @Test
    void aSavedProjectAndVia1Regions() throws IOException {
        Path image = BoxAnnotationsTest.photo(dir, "b.png");
        Files.writeString(dir.resolve("smears.json"), VIA2_PROJECT);
        List<String> warnings = new ArrayList<>();
        List<Roi> rois = new BoxAnnotations(dir, BoxAnnotations.Format.VIA, warnings::add)
                .forImage(image, 64, 48)
                .rois();
        assertEquals(3, rois.size(), rois.toString());
        assertEquals("WBC", rois.get(0).getName(), "the attribute named type, not the note");
        assertEquals("Platelets", rois.get(1).getName(), "a checkbox's ticked option");
        assertEquals(null, rois.get(2).getName(), "no attribute: unnamed");
        assertArrayEquals(new float[] {1, 1, 5, 5}, DetectFiles.box(rois.get(0)), 1e-4f);
        assertTrue(warnings.get(0).contains("region 2 \"RBC\" is a polyline"), warnings.toString());
        Files.writeString(dir.resolve("smears.json"), "{\"x.png1\": {\"filename\": \"x.png\", \"regions\": [");
        var e = assertThrows(
                IOException.class,
                () -> new BoxAnnotations(dir, BoxAnnotations.Format.VIA, w -> {}).forImage(image, 64, 48));
        assertTrue(e.getMessage().contains("smears.json is not valid JSON"), e.getMessage());
    }
}
