package org.cnnj.ij;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.io.ImageFiles;

/**
 * Label Studio's JSON export (Export › JSON: a list of tasks, each with its {@code data} — the image's path or URL —
 * and {@code annotations}; older versions' {@code completions}) read into ROIs named by their label. Coordinates are
 * percent of the image's width and height, so they are read against the image itself: rectangles (x, y, width,
 * height; rotation in degrees about the top-left corner, as Label Studio turns them), polygons (points) and ellipses
 * (centre x, y, radiusX, radiusY, rotation), with or without labels. The first annotation of a task that was not
 * cancelled is read; {@code predictions} (a model's output) are not ground truth and are left out. Brushes (Label
 * Studio's own run-length code, {@link LabelStudioRle}) are one object each; key points and other results are skipped
 * with a warning. An uploaded image's name carries Label Studio's 8-character prefix ("1a2b3c4d-cells.png"): it
 * matches cells.png too.
 */
final class LabelStudioJson {
    private LabelStudioJson() {}

    /** Whether the JSON is Label Studio's export: a list of tasks with data and annotations. */
    static boolean isLabelStudio(JsonElement root) {
        if (!root.isJsonArray() || root.getAsJsonArray().isEmpty()) return false;
        JsonElement first = root.getAsJsonArray().get(0);
        return first.isJsonObject()
                && first.getAsJsonObject().has("data")
                && (first.getAsJsonObject().has("annotations")
                        || first.getAsJsonObject().has("completions"));
    }

    /**
     * Each task's results (its first annotation not cancelled), by image name — and by the name without the upload
     * prefix.
     */
    static Map<String, JsonArray> results(JsonArray tasks) {
        Map<String, JsonArray> out = new LinkedHashMap<>();
        for (JsonElement t : tasks) {
            if (!t.isJsonObject()) continue;
            JsonObject task = t.getAsJsonObject();
            String image = imageOf(task.get("data"));
            JsonArray results = firstAnnotation(task);
            if (image == null || results == null) continue;
            String name = ImageFiles.nameOf(URLDecoder.decode(image, StandardCharsets.UTF_8));
            out.putIfAbsent(name, results);
            if (name.matches("[0-9a-f]{8}-.+")) out.putIfAbsent(name.substring(9), results);
        }
        return out;
    }

    /** The ROIs of one task's results on an image of {@code width} × {@code height}. */
    static List<Roi> rois(JsonArray results, int width, int height, Path file, String image, Consumer<String> warn) {
        List<Roi> out = new ArrayList<>();
        int n = 0;
        for (JsonElement r : results) {
            n++;
            JsonObject result = r.getAsJsonObject();
            String type = result.has("type") ? result.get("type").getAsString() : "";
            JsonObject v = result.has("value") ? result.getAsJsonObject("value") : new JsonObject();
            String label = label(v, type);
            String which = file.getFileName() + ": " + image + ", result " + n + " (" + type + " \"" + label + "\")";
            Roi roi = type.equals("brushlabels") || type.equals("brush")
                    ? brush(result, width, height, which, warn)
                    : shape(type, v, width / 100.0, height / 100.0, which, warn);
            if (roi == null) continue;
            roi.setName(label.isEmpty() ? null : label);
            out.add(roi);
        }
        return out;
    }

    private static Roi shape(String type, JsonObject v, double sx, double sy, String which, Consumer<String> warn) {
        double angle = v.has("rotation") ? v.get("rotation").getAsDouble() : 0;
        switch (type) {
            case "rectanglelabels", "rectangle": {
                double x = JsonFields.number(v, "x", which) * sx, y = JsonFields.number(v, "y", which) * sy;
                double w = JsonFields.number(v, "width", which) * sx, h = JsonFields.number(v, "height", which) * sy;
                if (angle == 0) return new Roi(x, y, w, h);
                return ShapeRois.rotated(new double[][] {{0, 0}, {w, 0}, {w, h}, {0, h}}, x, y, angle);
            }
            case "ellipselabels", "ellipse":
                return ShapeRois.ellipse(
                        JsonFields.number(v, "x", which) * sx,
                        JsonFields.number(v, "y", which) * sy,
                        JsonFields.number(v, "radiusX", which) * sx,
                        JsonFields.number(v, "radiusY", which) * sy,
                        angle);
            case "polygonlabels", "polygon": {
                JsonArray points = v.has("points") && v.get("points").isJsonArray() ? v.getAsJsonArray("points") : null;
                if (points == null || points.size() < 3) {
                    warn.accept("warning: " + which + " is a polygon of fewer than 3 points; skipped");
                    return null;
                }
                float[] xs = new float[points.size()], ys = new float[points.size()];
                for (int i = 0; i < xs.length; i++) {
                    JsonArray p = points.get(i).getAsJsonArray();
                    xs[i] = (float) (p.get(0).getAsDouble() * sx);
                    ys[i] = (float) (p.get(1).getAsDouble() * sy);
                }
                return new PolygonRoi(xs, ys, xs.length, Roi.POLYGON);
            }
            default:
                warn.accept("warning: " + which + " is not a rectangle, polygon, ellipse or brush; skipped");
                return null;
        }
    }

    /** A brush mask as one object's outline (several strokes apart: one composite ROI); null when it is empty. */
    private static Roi brush(JsonObject result, int width, int height, String which, Consumer<String> warn) {
        JsonObject v = result.getAsJsonObject("value");
        String format = v != null && v.has("format") ? v.get("format").getAsString() : "rle";
        if (!format.equals("rle")) {
            warn.accept("warning: " + which + " is a brush in \"" + format + "\", not \"rle\"; skipped");
            return null;
        }
        Roi roi = LabelResults.outline(LabelStudioRle.mask(result, width, height, which), width, height, 0, 0);
        if (roi == null) warn.accept("warning: " + which + " is an empty brush; skipped");
        return roi;
    }

    /** The result's label: the first of value's "…labels" list, or "" for a shape without one. */
    private static String label(JsonObject v, String type) {
        for (String key : List.of(type, "labels")) {
            JsonElement l = key.endsWith("labels") ? v.get(key) : null;
            if (l != null && l.isJsonArray() && !l.getAsJsonArray().isEmpty())
                return l.getAsJsonArray().get(0).getAsString().trim();
        }
        return "";
    }

    /** The task's image: data.image, or the first path-like value of its data. */
    private static String imageOf(JsonElement data) {
        if (data == null || !data.isJsonObject()) return null;
        JsonObject d = data.getAsJsonObject();
        if (d.has("image") && d.get("image").isJsonPrimitive())
            return d.get("image").getAsString();
        for (var e : d.entrySet())
            if (e.getValue().isJsonPrimitive() && e.getValue().getAsString().contains("."))
                return e.getValue().getAsString();
        return null;
    }

    private static JsonArray firstAnnotation(JsonObject task) {
        JsonElement list = task.has("annotations") ? task.get("annotations") : task.get("completions");
        if (list == null || !list.isJsonArray()) return null;
        for (JsonElement a : list.getAsJsonArray()) {
            JsonObject o = a.getAsJsonObject();
            boolean cancelled = o.has("was_cancelled") && o.get("was_cancelled").getAsBoolean();
            if (!cancelled && o.has("result") && o.get("result").isJsonArray()) return o.getAsJsonArray("result");
        }
        return null;
    }
}
