package org.cnnj.ij;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Objects from GeoJSON as QuPath writes it (File › Export objects as GeoJSON, {@code exportObjectsToGeoJson}; also
 * CNN-J's own {@code objects.geojson}, napari-geojson, shapely): a FeatureCollection, an array of Features (QuPath's
 * default) or one Feature. Each Polygon or MultiPolygon (holes cut out) becomes one ROI named by its class —
 * QuPath's {@code properties.classification.name} (or {@code names} joined as QuPath shows a derived class, "Tumor:
 * Positive"); an unclassified object gets no name, as an unnamed ROI. An object's own {@code name} is not its class.
 * Coordinates are pixels of the full-resolution image, (0, 0) the top-left corner of its top-left pixel, as ImageJ's.
 * Objects nested in others (QuPath's childObjects) are read too. A cell object gives its cell outline, or its nucleus
 * (nucleusGeometry) when asked. Points and lines (no area) are skipped with a warning.
 */
final class GeoJsonObjects {
    private GeoJsonObjects() {}

    /** Whether the JSON is GeoJSON (a Feature, a FeatureCollection or an array of Features), not COCO or a sidecar. */
    static boolean isGeoJson(JsonElement root) {
        if (root.isJsonArray())
            return !root.getAsJsonArray().isEmpty()
                    && isFeature(root.getAsJsonArray().get(0));
        if (!root.isJsonObject()) return false;
        JsonElement type = root.getAsJsonObject().get("type");
        return type != null
                && type.isJsonPrimitive()
                && (type.getAsString().equals("FeatureCollection")
                        || type.getAsString().equals("Feature"));
    }

    /** The file's JSON, or null when it is not JSON at all (then it is not this format's). */
    static JsonElement parse(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonParseException | IllegalStateException bad) {
            return null;
        }
    }

    /** The objects of a GeoJSON file as ROIs named by their class; {@code warn} hears what was skipped and why. */
    static List<Roi> read(Path file, Consumer<String> warn) throws IOException {
        JsonElement root = parse(file);
        if (root == null)
            throw new IllegalArgumentException(file.getFileName() + " is not valid JSON; export it again from QuPath"
                    + " (File › Export objects as GeoJSON)");
        return read(root, file, false, warn);
    }

    /**
     * The objects of {@code file}'s GeoJSON, already parsed; with {@code nuclei} a QuPath cell is its nucleus (the
     * feature's nucleusGeometry, as QuPath's cell detection and StarDist extension write it), else its cell outline —
     * said once in a warning when the file holds cells with nuclei.
     */
    static List<Roi> read(JsonElement root, Path file, boolean nuclei, Consumer<String> warn) {
        if (!isGeoJson(root))
            throw new IllegalArgumentException(file.getFileName() + " is JSON but not GeoJSON (no Feature or"
                    + " FeatureCollection); QuPath writes it with File › Export objects as GeoJSON");
        List<Roi> out = new ArrayList<>();
        Pass pass = new Pass(nuclei, warn);
        readAll(features(root), file.getFileName() + ": feature ", out, pass);
        if (!nuclei && pass.cellsWithNuclei > 0)
            warn.accept("note: " + file.getFileName() + " holds " + pass.cellsWithNuclei + " QuPath cell(s) with a"
                    + " nucleus; their cell outlines are read (--annotations geojson-nuclei, in Fiji Annotations"
                    + " geojson-nuclei, reads their nuclei)");
        // QuPath writes a plane only where it is not the first: once one object has one, the others are on plane 1,
        // not on every plane.
        if (out.stream().anyMatch(r -> r.getPosition() > 0))
            for (Roi r : out) if (r.getPosition() == 0) r.setPosition(1);
        return out;
    }

    /**
     * Each feature's object, then the objects nested in it: QuPath writes the objects inside an annotation as its
     * {@code properties.childObjects} when the hierarchy is exported, and the hierarchy's root (objectType "root", no
     * geometry) only as the holder of its children.
     */
    private static void readAll(Iterable<JsonElement> features, String where, List<Roi> out, Pass pass) {
        int n = 0;
        for (JsonElement f : features) {
            n++;
            String which = where + n + idOf(f);
            JsonObject properties = properties(f);
            boolean root = properties.has("objectType")
                    && properties.get("objectType").isJsonPrimitive()
                    && properties.get("objectType").getAsString().equals("root");
            if (!root) {
                Roi roi = feature(f, which, pass);
                if (roi != null) out.add(roi);
            }
            JsonElement children = properties.get("childObjects");
            if (children != null && children.isJsonArray())
                readAll(children.getAsJsonArray(), which + ", child ", out, pass);
        }
    }

    /** What one reading of a file wants and has met. */
    private static final class Pass {
        final boolean nuclei;
        final Consumer<String> warn;
        int cellsWithNuclei;

        Pass(boolean nuclei, Consumer<String> warn) {
            this.nuclei = nuclei;
            this.warn = warn;
        }
    }

    private static JsonObject properties(JsonElement f) {
        JsonElement p = f.isJsonObject() ? f.getAsJsonObject().get("properties") : null;
        return p != null && p.isJsonObject() ? p.getAsJsonObject() : new JsonObject();
    }

    private static Iterable<JsonElement> features(JsonElement root) {
        if (root.isJsonArray()) return root.getAsJsonArray();
        JsonObject o = root.getAsJsonObject();
        if (o.get("type").getAsString().equals("Feature")) return List.of(o);
        JsonElement list = o.get("features");
        return list != null && list.isJsonArray() ? list.getAsJsonArray() : List.of();
    }

    private static boolean isFeature(JsonElement e) {
        return e.isJsonObject()
                && e.getAsJsonObject().has("type")
                && e.getAsJsonObject().get("type").isJsonPrimitive()
                && e.getAsJsonObject().get("type").getAsString().equals("Feature");
    }

    private static String idOf(JsonElement f) {
        JsonElement id = f.isJsonObject() ? f.getAsJsonObject().get("id") : null;
        return id != null && id.isJsonPrimitive() ? " (id " + id.getAsString() + ")" : "";
    }

    private static Roi feature(JsonElement f, String which, Pass pass) {
        Consumer<String> warn = pass.warn;
        if (!isFeature(f)) throw new IllegalArgumentException(which + " is not a GeoJSON Feature");
        JsonObject feature = f.getAsJsonObject();
        JsonElement g = feature.get("geometry"), nucleus = feature.get("nucleusGeometry");
        if (nucleus != null && nucleus.isJsonObject()) pass.cellsWithNuclei++;
        if (g == null || !g.isJsonObject()) {
            warn.accept("warning: " + which + " has no geometry; skipped");
            return null;
        }
        // A nucleus's plane is its cell's: QuPath writes it in the cell's geometry only.
        boolean ofNucleus = pass.nuclei && nucleus != null && nucleus.isJsonObject();
        ShapeRoi shape = geometry((ofNucleus ? nucleus : g).getAsJsonObject(), which, warn);
        if (shape == null) return null;
        JsonObject properties = properties(feature);
        Roi roi = shape.trySimplify();
        String cls = className(properties);
        if (cls != null) roi.setName(cls);
        int position = position(g.getAsJsonObject(), properties);
        if (position > 0) roi.setPosition(position);
        return roi;
    }

    /** A Polygon, MultiPolygon or GeometryCollection of them as one shape; null (warned) for points and lines. */
    private static ShapeRoi geometry(JsonObject g, String which, Consumer<String> warn) {
        String type = g.has("type") ? g.get("type").getAsString() : "";
        switch (type) {
            case "Polygon":
                return polygon(coordinates(g, which), which);
            case "MultiPolygon": {
                ShapeRoi union = null;
                for (JsonElement p : coordinates(g, which)) {
                    ShapeRoi part = polygon(p.getAsJsonArray(), which);
                    union = union == null ? part : union.or(part);
                }
                if (union == null) warn.accept("warning: " + which + " is an empty MultiPolygon; skipped");
                return union;
            }
            case "GeometryCollection": {
                ShapeRoi union = null;
                JsonElement parts = g.get("geometries");
                if (parts != null && parts.isJsonArray())
                    for (JsonElement p : parts.getAsJsonArray()) {
                        ShapeRoi part = p.isJsonObject() ? geometry(p.getAsJsonObject(), which, warn) : null;
                        if (part != null) union = union == null ? part : union.or(part);
                    }
                return union;
            }
            default:
                warn.accept("warning: " + which + " is a " + (type.isEmpty() ? "geometry without a type" : type)
                        + ", not an area (Polygon or MultiPolygon); skipped");
                return null;
        }
    }

    private static JsonArray coordinates(JsonObject g, String which) {
        JsonElement c = g.get("coordinates");
        if (c == null || !c.isJsonArray())
            throw new IllegalArgumentException(which + ": its " + g.get("type").getAsString() + " has no coordinates");
        return c.getAsJsonArray();
    }

    /** GeoJSON rings [exterior, hole, …] of [x, y] points: the exterior with the holes cut out. */
    private static ShapeRoi polygon(JsonArray rings, String which) {
        ShapeRoi shape = null;
        for (JsonElement r : rings) {
            if (!r.isJsonArray() || r.getAsJsonArray().size() < 3)
                throw new IllegalArgumentException(which + ": a polygon ring has fewer than 3 points; it is not an"
                        + " outline (fix or delete the object in QuPath and export again)");
            JsonArray points = r.getAsJsonArray();
            float[] xs = new float[points.size()], ys = new float[points.size()];
            for (int i = 0; i < xs.length; i++) {
                JsonArray p = points.get(i).isJsonArray() ? points.get(i).getAsJsonArray() : null;
                if (p == null || p.size() < 2)
                    throw new IllegalArgumentException(
                            which + ": point " + (i + 1) + " of a ring is " + points.get(i) + ", not [x, y]");
                xs[i] = p.get(0).getAsFloat();
                ys[i] = p.get(1).getAsFloat();
            }
            ShapeRoi ring = new ShapeRoi(new PolygonRoi(xs, ys, xs.length, Roi.POLYGON));
            shape = shape == null ? ring : shape.not(ring); // the first ring is the exterior, the others holes
        }
        return shape;
    }

    /** QuPath's class: classification.name, or its names joined as QuPath shows them; null when unclassified. */
    private static String className(JsonObject properties) {
        JsonElement c = properties.get("classification");
        if (c == null || c.isJsonNull()) return null;
        if (c.isJsonPrimitive()) return blankToNull(c.getAsString());
        JsonObject o = c.getAsJsonObject();
        if (o.has("name") && o.get("name").isJsonPrimitive())
            return blankToNull(o.get("name").getAsString());
        if (o.has("names") && o.get("names").isJsonArray()) {
            List<String> names = new ArrayList<>();
            for (JsonElement n : o.getAsJsonArray("names")) names.add(n.getAsString());
            return blankToNull(String.join(": ", names));
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /**
     * The ROI position (1-based; 0 = every plane): QuPath's plane in the geometry ({"c", "z", "t"} from 0, written
     * where it is not the first plane; the z of a z-stack, the t of a time series), or the 1-based "plane" property
     * CNN-J's own objects.geojson carries.
     */
    private static int position(JsonObject geometry, JsonObject properties) {
        JsonElement q = geometry.get("plane");
        if (q != null && q.isJsonObject()) {
            JsonObject plane = q.getAsJsonObject();
            int z = plane.has("z") ? plane.get("z").getAsInt() : 0,
                    t = plane.has("t") ? plane.get("t").getAsInt() : 0;
            return Math.max(z, t) + 1;
        }
        JsonElement p = properties.get("plane");
        return p != null && p.isJsonPrimitive() ? p.getAsInt() : 0;
    }
}
