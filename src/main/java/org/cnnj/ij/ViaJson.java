package org.cnnj.ij;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.gui.OvalRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.io.ImageFiles;

/**
 * The VGG Image Annotator's JSON (VIA 2: Annotation › Export as JSON, or a saved project whose images are under
 * {@code _via_img_metadata}; VIA 1's regions keyed "0", "1", … too; the format of Matterport's Mask R-CNN examples):
 * one file for a folder, each image by its {@code filename}, each region's {@code shape_attributes} a rect (x, y,
 * width, height), circle (cx, cy, r), ellipse (cx, cy, rx, ry, theta in radians) or polygon (all_points_x,
 * all_points_y); points and polylines have no area and are skipped with a warning. A region's class is its one
 * region attribute, or the one named class, label, name, type or category (a checkbox attribute: its ticked option);
 * a region without one is unnamed, as an unnamed ROI.
 */
final class ViaJson {
    private static final List<String> CLASS_ATTRIBUTES = List.of("class", "label", "name", "type", "category");

    private ViaJson() {}

    /** Whether the JSON is VIA's: a project ({@code _via_img_metadata}) or images with filename and regions. */
    static boolean isVia(JsonElement root) {
        if (!root.isJsonObject()) return false;
        JsonObject o = root.getAsJsonObject();
        if (o.has("_via_img_metadata")) return true;
        var first = o.entrySet().stream().findFirst();
        return first.isPresent() && isImage(first.get().getValue());
    }

    private static boolean isImage(JsonElement e) {
        return e.isJsonObject()
                && e.getAsJsonObject().has("filename")
                && e.getAsJsonObject().has("regions");
    }

    /** The objects of every image the file lists, by the image's file name (folders dropped). */
    static Map<String, List<Roi>> read(JsonObject root, Path file, Consumer<String> warn) {
        JsonObject images = root.has("_via_img_metadata") ? root.getAsJsonObject("_via_img_metadata") : root;
        Map<String, List<Roi>> out = new LinkedHashMap<>();
        for (var entry : images.entrySet()) {
            if (!isImage(entry.getValue()))
                throw new IllegalArgumentException(file.getFileName() + ": \"" + entry.getKey() + "\" has no filename"
                        + " and regions; it is not VIA's JSON (export it again: Annotation › Export as JSON)");
            JsonObject image = entry.getValue().getAsJsonObject();
            String name = ImageFiles.nameOf(image.get("filename").getAsString());
            List<Roi> rois = new ArrayList<>();
            int n = 0;
            for (JsonElement region : regions(image.get("regions"))) {
                n++;
                JsonObject r = region.getAsJsonObject();
                String cls = className(r.get("region_attributes"));
                String which = file.getFileName() + ": " + name + ", region " + n + " \"" + cls + "\"";
                Roi roi = shape(r.getAsJsonObject("shape_attributes"), which, warn);
                if (roi == null) continue;
                roi.setName(cls.isEmpty() ? null : cls);
                rois.add(roi);
            }
            out.merge(name, rois, (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        return out;
    }

    /** VIA 2 writes a list of regions, VIA 1 an object keyed "0", "1", …. */
    private static List<JsonElement> regions(JsonElement e) {
        List<JsonElement> out = new ArrayList<>();
        if (e.isJsonArray()) e.getAsJsonArray().forEach(out::add);
        else if (e.isJsonObject()) e.getAsJsonObject().entrySet().forEach(x -> out.add(x.getValue()));
        return out;
    }

    private static String className(JsonElement attributes) {
        if (attributes == null
                || !attributes.isJsonObject()
                || attributes.getAsJsonObject().isEmpty()) return "";
        JsonObject a = attributes.getAsJsonObject();
        String key = a.size() == 1 ? a.keySet().iterator().next() : null;
        for (String k : CLASS_ATTRIBUTES) if (key == null && a.has(k)) key = k;
        if (key == null) return "";
        JsonElement v = a.get(key);
        if (v.isJsonPrimitive()) return v.getAsString().trim();
        if (v.isJsonObject()) // a checkbox: {"option": true, …}
        for (var o : v.getAsJsonObject().entrySet())
                if (o.getValue().isJsonPrimitive() && o.getValue().getAsBoolean()) return o.getKey();
        return "";
    }

    private static Roi shape(JsonObject s, String which, Consumer<String> warn) {
        String type = s == null || !s.has("name") ? "" : s.get("name").getAsString();
        switch (type) {
            case "rect":
                return new Roi(
                        JsonFields.number(s, "x", which),
                        JsonFields.number(s, "y", which),
                        JsonFields.number(s, "width", which),
                        JsonFields.number(s, "height", which));
            case "circle": {
                double r = JsonFields.number(s, "r", which);
                return new OvalRoi(
                        JsonFields.number(s, "cx", which) - r, JsonFields.number(s, "cy", which) - r, 2 * r, 2 * r);
            }
            case "ellipse":
                return ShapeRois.ellipse(
                        JsonFields.number(s, "cx", which),
                        JsonFields.number(s, "cy", which),
                        JsonFields.number(s, "rx", which),
                        JsonFields.number(s, "ry", which),
                        s.has("theta") ? Math.toDegrees(JsonFields.number(s, "theta", which)) : 0);
            case "polygon": {
                JsonArray xs = array(s, "all_points_x", which), ys = array(s, "all_points_y", which);
                if (xs.size() != ys.size() || xs.size() < 3) {
                    warn.accept("warning: " + which + " is a polygon of " + Math.min(xs.size(), ys.size())
                            + " point(s) or of unequal x and y lists; skipped");
                    return null;
                }
                float[] x = new float[xs.size()], y = new float[xs.size()];
                for (int k = 0; k < x.length; k++) {
                    x[k] = xs.get(k).getAsFloat();
                    y[k] = ys.get(k).getAsFloat();
                }
                return new PolygonRoi(x, y, x.length, Roi.POLYGON);
            }
            default:
                warn.accept("warning: " + which + " is a " + (type.isEmpty() ? "shape without a name" : type)
                        + ", not an area (rect, circle, ellipse or polygon); skipped");
                return null;
        }
    }

    private static JsonArray array(JsonObject s, String field, String which) {
        if (!s.has(field) || !s.get(field).isJsonArray())
            throw new IllegalArgumentException(which + ": \"" + field + "\" is missing or not a list");
        return s.getAsJsonArray(field);
    }
}
