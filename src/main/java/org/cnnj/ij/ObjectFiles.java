package org.cnnj.ij;

import com.google.gson.GsonBuilder;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.process.FloatPolygon;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Objects (segmented outlines, detected boxes) as the files other tools read without conversion: GeoJSON as QuPath
 * imports and exports it (File › Import objects; also napari-geojson, shapely, GDAL) and COCO JSON (pycocotools, CVAT,
 * Detectron2, torchvision). Coordinates are pixels of the image, (0, 0) the top-left corner of its top-left pixel —
 * both formats' convention for images — whatever the image's calibration (calibrated values are in the
 * measurements).
 */
public final class ObjectFiles {
    /**
     * One object: its outline, its class, its score (NaN where it has none, e.g. a segmented object), its measurements
     * by column name, and the image plane it is on (0 for a single plane; 1-based otherwise).
     */
    public record Shape(Roi roi, String className, double score, Map<String, Double> measurements, int plane) {}

    private ObjectFiles() {}

    /** A GeoJSON FeatureCollection: each object a Feature with a Polygon (or MultiPolygon) and QuPath's properties. */
    public static byte[] geoJson(List<Shape> shapes, String image) {
        List<Object> features = new ArrayList<>();
        for (Shape s : shapes) {
            List<List<double[][]>> polygons = polygons(s.roi());
            if (polygons.isEmpty()) continue;
            Map<String, Object> geometry = new LinkedHashMap<>();
            geometry.put("type", polygons.size() == 1 ? "Polygon" : "MultiPolygon");
            geometry.put("coordinates", polygons.size() == 1 ? polygons.get(0) : polygons);
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("objectType", "detection"); // QuPath: many objects of an analysis, not hand annotations
            properties.put("name", s.roi().getName());
            Map<String, Object> classification = new LinkedHashMap<>();
            classification.put("name", s.className());
            Color c = s.roi().getStrokeColor();
            if (c != null) classification.put("color", new int[] {c.getRed(), c.getGreen(), c.getBlue()});
            properties.put("classification", classification);
            Map<String, Object> measurements = new LinkedHashMap<>(s.measurements());
            if (!Double.isNaN(s.score())) measurements.put("score", s.score());
            properties.put("measurements", measurements);
            if (s.plane() > 0) properties.put("plane", s.plane());
            properties.put("image", image);
            Map<String, Object> feature = new LinkedHashMap<>();
            feature.put("type", "Feature");
            // Stable ids: the same result gives the same file (QuPath keeps ids as object ids).
            feature.put(
                    "id",
                    UUID.nameUUIDFromBytes(
                                    (image + "/" + s.plane() + "/" + s.roi().getName())
                                            .getBytes(StandardCharsets.UTF_8))
                            .toString());
            feature.put("geometry", geometry);
            feature.put("properties", properties);
            features.add(feature);
        }
        Map<String, Object> collection = new LinkedHashMap<>();
        collection.put("type", "FeatureCollection");
        collection.put("features", features);
        return json(collection);
    }

    /**
     * A COCO dataset of one image: each object an annotation with its polygon(s), bounding box [x, y, w, h], area (its
     * pixels), category and, for detections, score; categories numbered from 1 in order of first appearance.
     */
    public static byte[] coco(List<Shape> shapes, String image, int width, int height) {
        Map<String, Integer> categories = new LinkedHashMap<>();
        List<Object> annotations = new ArrayList<>();
        for (Shape s : shapes) {
            List<List<double[][]>> polygons = polygons(s.roi());
            if (polygons.isEmpty()) continue;
            int category = categories.computeIfAbsent(s.className(), k -> categories.size() + 1);
            List<double[]> segmentation = new ArrayList<>();
            for (List<double[][]> polygon : polygons) segmentation.add(flat(polygon.get(0))); // COCO polygons: no holes
            Rectangle2DLike b = bounds(s.roi());
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", annotations.size() + 1);
            a.put("image_id", 1);
            a.put("category_id", category);
            a.put("segmentation", segmentation);
            a.put("area", area(s.roi()));
            a.put("bbox", new double[] {b.x(), b.y(), b.w(), b.h()});
            a.put("iscrowd", 0);
            if (!Double.isNaN(s.score())) a.put("score", s.score());
            if (s.plane() > 0) a.put("plane", s.plane());
            annotations.add(a);
        }
        Map<String, Object> img = new LinkedHashMap<>();
        img.put("id", 1);
        img.put("file_name", image);
        img.put("width", width);
        img.put("height", height);
        List<Object> cats = new ArrayList<>();
        for (Map.Entry<String, Integer> e : categories.entrySet()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", e.getValue());
            c.put("name", e.getKey());
            cats.add(c);
        }
        Map<String, Object> coco = new LinkedHashMap<>();
        coco.put("info", Map.of("description", "CNN-J results for " + image));
        coco.put("images", List.of(img));
        coco.put("annotations", annotations);
        coco.put("categories", cats);
        return json(coco);
    }

    private record Rectangle2DLike(double x, double y, double w, double h) {}

    private static Rectangle2DLike bounds(Roi roi) {
        Rectangle2D f = roi.getFloatBounds();
        return new Rectangle2DLike(f.getX(), f.getY(), f.getWidth(), f.getHeight());
    }

    /** The pixels a ROI covers (its mask's count; a rectangle's area). */
    static long area(Roi roi) {
        if (roi.getType() == Roi.RECTANGLE && roi.getCornerDiameter() == 0) {
            Rectangle r = roi.getBounds();
            return (long) r.width * r.height;
        }
        var mask = roi.getMask();
        if (mask == null) return (long) roi.getBounds().width * roi.getBounds().height;
        long n = 0;
        byte[] pixels = (byte[]) mask.getPixels();
        for (byte p : pixels) if (p != 0) n++;
        return n;
    }

    /**
     * A ROI's outline as polygons, each a list of rings [exterior, holes…] of closed [x, y] points: a traced object is
     * one polygon; one with holes or in several parts (ImageJ's ShapeRoi) is sorted into exteriors (largest first)
     * and the holes inside them.
     */
    static List<List<double[][]>> polygons(Roi roi) {
        List<double[][]> rings = new ArrayList<>();
        if (roi instanceof ShapeRoi shape) {
            for (Roi part : shape.getRois()) rings.add(ring(part.getFloatPolygon()));
        } else rings.add(ring(roi.getFloatPolygon()));
        rings.removeIf(r -> r.length < 4);
        rings.sort(Comparator.comparingDouble((double[][] r) -> -Math.abs(signedArea(r))));
        List<List<double[][]>> polygons = new ArrayList<>();
        List<FloatPolygon> exteriors = new ArrayList<>();
        for (double[][] r : rings) {
            int inside = -1;
            for (int e = 0; e < exteriors.size() && inside < 0; e++)
                if (exteriors.get(e).contains(midpointInside(r)[0], midpointInside(r)[1])) inside = e;
            if (inside >= 0) polygons.get(inside).add(oriented(r, false));
            else {
                List<double[][]> polygon = new ArrayList<>();
                polygon.add(oriented(r, true));
                polygons.add(polygon);
                exteriors.add(floatPolygon(r));
            }
        }
        return polygons;
    }

    /** A point just inside a ring's first edge (a hole's first vertex may sit on its exterior's outline). */
    private static double[] midpointInside(double[][] r) {
        double mx = (r[0][0] + r[1][0]) / 2, my = (r[0][1] + r[1][1]) / 2;
        double dx = r[1][0] - r[0][0], dy = r[1][1] - r[0][1], len = Math.hypot(dx, dy);
        double side = signedArea(r) > 0 ? 1 : -1; // towards the ring's inside
        return new double[] {mx - side * dy / len * 0.25, my + side * dx / len * 0.25};
    }

    private static double[][] ring(FloatPolygon p) {
        int n = p.npoints;
        double[][] out = new double[n + 1][];
        for (int i = 0; i < n; i++) out[i] = new double[] {p.xpoints[i], p.ypoints[i]};
        out[n] = out[0].clone(); // closed, as both formats require
        return out;
    }

    private static FloatPolygon floatPolygon(double[][] r) {
        float[] x = new float[r.length - 1], y = new float[r.length - 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r[i][0];
            y[i] = (float) r[i][1];
        }
        return new FloatPolygon(x, y);
    }

    /** Twice the signed area (shoelace), positive when the ring turns counter-clockwise in x-right, y-up axes. */
    static double signedArea(double[][] r) {
        double a = 0;
        for (int i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
        return a;
    }

    /**
     * The ring turned as GeoJSON's right-hand rule asks (RFC 7946: exteriors counter-clockwise, holes clockwise) of the
     * coordinates as written, x right and y up as the rule reads them (on screen, with image rows down, it looks
     * mirrored).
     */
    private static double[][] oriented(double[][] r, boolean exterior) {
        boolean counterClockwiseUp = signedArea(r) > 0; // the shoelace on the values as given, y read as up
        if (counterClockwiseUp == exterior) return r;
        double[][] reversed = new double[r.length][];
        for (int i = 0; i < r.length; i++) reversed[i] = r[r.length - 1 - i];
        return reversed;
    }

    private static double[] flat(double[][] ring) {
        double[] out = new double[2 * (ring.length - 1)];
        for (int i = 0; i + 1 < ring.length; i++) {
            out[2 * i] = ring[i][0];
            out[2 * i + 1] = ring[i][1];
        }
        return out;
    }

    /** Measurement columns of a results row, by the names results.csv gives them. */
    public static Map<String, Double> measurements(LabelResults.Measurement m, String unit) {
        Map<String, Double> out = new TreeMap<>();
        out.put("area_" + unit + "2", m.area());
        out.put("centroid_x_" + unit, m.centroidX());
        out.put("centroid_y_" + unit, m.centroidY());
        out.put("mean_intensity", m.meanIntensity());
        return out;
    }

    private static byte[] json(Object tree) {
        return new GsonBuilder()
                .disableHtmlEscaping()
                .serializeSpecialFloatingPointValues()
                .create()
                .toJson(tree)
                .getBytes(StandardCharsets.UTF_8);
    }
}
