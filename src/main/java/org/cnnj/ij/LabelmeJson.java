package org.cnnj.ij;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.gui.OvalRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * labelme's JSON (one NAME.json per image, as labelme, AnyLabeling and X-AnyLabeling save it) read into ROIs named by
 * their label: {@code shapes} of type polygon (labelme 3 wrote no type: a polygon), rectangle (two opposite corners,
 * or four), circle (centre and a point on it), mask (labelme 5.3+: a PNG of 0/1 in base64 whose top-left pixel is
 * the first of its two points) and rotation (X-AnyLabeling's rotated box: its four corners). Shapes with the same
 * label and {@code group_id} are one object, as labelme's own labelme2coco joins them (an object drawn in parts);
 * without a group_id each shape is an object. Points, lines and line strips have no area and are skipped with a
 * warning. Coordinates are pixels from the image's top-left corner, as ImageJ's.
 */
final class LabelmeJson {
    private LabelmeJson() {}

    /** Whether the JSON is labelme's: an object with a {@code shapes} list. */
    static boolean isLabelme(JsonElement root) {
        return root.isJsonObject()
                && root.getAsJsonObject().has("shapes")
                && root.getAsJsonObject().get("shapes").isJsonArray();
    }

    /** The file's objects and the image size it states (imageWidth, imageHeight; 0 × 0 when absent). */
    static ImageShapes read(JsonObject root, Path file, Consumer<String> warn) {
        Map<String, Roi> objects = new LinkedHashMap<>();
        JsonArray shapes = root.getAsJsonArray("shapes");
        for (int i = 0; i < shapes.size(); i++) {
            if (!shapes.get(i).isJsonObject())
                throw new IllegalArgumentException(file.getFileName() + ": shape " + (i + 1) + " is not an object;"
                        + " save the file again in labelme");
            JsonObject s = shapes.get(i).getAsJsonObject();
            String label = string(s, "label"), type = s.has("shape_type") ? string(s, "shape_type") : "polygon";
            String which = file.getFileName() + ": shape " + (i + 1) + " \"" + label + "\"";
            Roi roi = shape(s, type, which, warn);
            if (roi == null) continue;
            JsonElement group = s.get("group_id");
            String key = group == null || group.isJsonNull() ? "shape " + i : label + "\u0000" + group.getAsString();
            Roi before = objects.get(key);
            Roi joined = before == null
                    ? roi
                    : new ShapeRoi(before).or(new ShapeRoi(roi)).trySimplify();
            joined.setName(label.isEmpty() ? null : label);
            objects.put(key, joined);
        }
        return new ImageShapes(new ArrayList<>(objects.values()), size(root, "imageWidth"), size(root, "imageHeight"));
    }

    private static Roi shape(JsonObject s, String type, String which, Consumer<String> warn) {
        double[][] p = points(s, which);
        switch (type) {
            case "polygon", "rotation": // X-AnyLabeling's rotated box: its four corners
                if (p.length < 3) {
                    warn.accept("warning: " + which + " is a polygon of " + p.length + " point(s); skipped");
                    return null;
                }
                float[] xs = new float[p.length], ys = new float[p.length];
                for (int k = 0; k < p.length; k++) {
                    xs[k] = (float) p[k][0];
                    ys[k] = (float) p[k][1];
                }
                return new PolygonRoi(xs, ys, p.length, Roi.POLYGON);
            case "rectangle": {
                need(p, 2, which);
                double x1 = Double.MAX_VALUE, y1 = Double.MAX_VALUE, x2 = -Double.MAX_VALUE, y2 = -Double.MAX_VALUE;
                for (double[] q : p) {
                    x1 = Math.min(x1, q[0]);
                    y1 = Math.min(y1, q[1]);
                    x2 = Math.max(x2, q[0]);
                    y2 = Math.max(y2, q[1]);
                }
                return new Roi(x1, y1, x2 - x1, y2 - y1);
            }
            case "circle": {
                need(p, 2, which);
                double r = Math.hypot(p[1][0] - p[0][0], p[1][1] - p[0][1]);
                return new OvalRoi(p[0][0] - r, p[0][1] - r, 2 * r, 2 * r);
            }
            case "mask":
                need(p, 1, which);
                return mask(s, p[0], which, warn);
            default:
                warn.accept("warning: " + which + " is a " + type + ", not an area (polygon, rectangle, circle or"
                        + " mask); skipped");
                return null;
        }
    }

    /** A mask shape: a PNG (0 = outside) whose top-left pixel lies at the shape's first point. */
    private static Roi mask(JsonObject s, double[] corner, String which, Consumer<String> warn) {
        String png =
                s.has("mask") && !s.get("mask").isJsonNull() ? s.get("mask").getAsString() : "";
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(png.trim())));
        } catch (IOException | IllegalArgumentException bad) {
            image = null;
        }
        if (image == null)
            throw new IllegalArgumentException(which + " is a mask whose \"mask\" is not a base64 PNG; the file is"
                    + " damaged (save it again in labelme)");
        int w = image.getWidth(), h = image.getHeight();
        Raster raster = image.getRaster();
        int[] mask = new int[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) mask[y * w + x] = raster.getSample(x, y, 0) > 0 ? 1 : 0;
        Roi roi = LabelResults.outline(mask, w, h, (int) corner[0], (int) corner[1]);
        if (roi == null) warn.accept("warning: " + which + " is an empty mask; skipped");
        return roi;
    }

    private static double[][] points(JsonObject s, String which) {
        JsonElement e = s.get("points");
        if (e == null || !e.isJsonArray())
            throw new IllegalArgumentException(which + " has no \"points\" list; save the file again in labelme");
        JsonArray a = e.getAsJsonArray();
        double[][] out = new double[a.size()][];
        for (int k = 0; k < a.size(); k++) {
            JsonElement q = a.get(k);
            if (!q.isJsonArray() || q.getAsJsonArray().size() < 2)
                throw new IllegalArgumentException(which + ": point " + (k + 1) + " is not [x, y]");
            try {
                out[k] = new double[] {
                    q.getAsJsonArray().get(0).getAsDouble(),
                    q.getAsJsonArray().get(1).getAsDouble()
                };
            } catch (RuntimeException notNumber) {
                throw new IllegalArgumentException(which + ": point " + (k + 1) + " " + q + " is not [x, y]");
            }
        }
        return out;
    }

    private static void need(double[][] points, int n, String which) {
        if (points.length < n)
            throw new IllegalArgumentException(
                    which + " has " + points.length + " point(s), fewer than its type" + " needs (" + n + ")");
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? "" : e.getAsString().trim();
    }

    private static int size(JsonObject root, String field) {
        JsonElement e = root.get(field);
        return e == null || e.isJsonNull() ? 0 : e.getAsInt();
    }
}
