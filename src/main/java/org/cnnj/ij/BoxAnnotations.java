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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.cnnj.io.ImageFiles;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Boxes and outlines as annotation tools write them, read into ROIs named by their class (as Train Detector reads ROI
 * zips): Pascal VOC XML (labelImg, CVAT, Roboflow: NAME.xml per image, 1-based inclusive corners), QuPath's GeoJSON
 * (NAME.geojson or NAME.json per image: {@link GeoJsonObjects}), labelme's JSON (NAME.json per image: polygons,
 * rectangles, circles, masks: {@link LabelmeJson}), COCO JSON (CVAT, Roboflow, Detectron2: one file for a folder,
 * [x, y, width, height] from 0, polygon outlines, run-length masks), VIA's JSON (the VGG Image Annotator: one file
 * for a folder: {@link ViaJson}), Label Studio's JSON export (one file, percent coordinates: {@link
 * LabelStudioJson}), CVAT XML (annotations.xml: boxes, polygons, brush masks, ellipses: {@link
 * CvatXml}), YOLO txt (Ultralytics, Roboflow:
 * NAME.txt per image of "class cx cy w h" relative to the image, class names in data.yaml, classes.txt or obj.names;
 * the labels/ folder beside an images/ folder too) and CSV (one file: image, x, y, width, height, class — or xmin,
 * ymin, xmax, ymax, then width and height are the image's, as in TensorFlow's and Roboflow's CSV). Boxes of zero
 * size or wholly outside the image are skipped with a warning naming file and box; boxes partly outside are cut at
 * the image's edge.
 */
public final class BoxAnnotations {
    /** Where the boxes are; AUTO looks for each image's own file first, then a folder-wide COCO or CSV file. */
    public enum Format {
        AUTO,
        ROIS,
        LABELS,
        VOC,
        GEOJSON,
        /** QuPath GeoJSON with each cell read as its nucleus. */
        GEOJSON_NUCLEI,
        LABELME,
        COCO,
        VIA,
        LABELSTUDIO,
        CVAT,
        YOLO,
        CSV;

        public String option() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Format parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (Format f : values()) if (f.option().equals(t)) return f;
            List<String> names = Arrays.stream(values()).map(Format::option).toList();
            throw new IllegalArgumentException("annotations must be "
                    + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1)
                    + ", got \"" + text + "\"");
        }
    }

    /** The boxes or outlines of one image, the file they came from and its format. */
    public record Found(Path file, List<Roi> rois, Format format) {
        /** Whether the file holds boxes only (Pascal VOC, CSV; YOLO, COCO, … without outlines): nothing to segment. */
        public boolean boxesOnly() {
            return switch (format) {
                case VOC, CSV -> true;
                case YOLO, COCO, LABELME, VIA, LABELSTUDIO -> rois.stream().allMatch(r -> r.getType() == Roi.RECTANGLE);
                default -> false;
            };
        }
    }

    private final Path folder;
    private final Format format;
    private final Consumer<String> warn;
    private Map<String, Found> coco, via, csv;
    private Map<String, CvatFound> cvat;
    private Map<String, LabelStudioFound> labelStudio;
    private List<String> yoloNames;

    /** Annotations in {@code folder} (the images' own folder, or where the annotation files are). */
    public BoxAnnotations(Path folder, Format format, Consumer<String> warn) {
        this.folder = folder;
        this.format = format;
        this.warn = warn;
    }

    /**
     * The boxes of {@code image} (its size {@code width} × {@code height}) in this folder's annotations; null when
     * none of the formats looked for has any for it.
     */
    public Found forImage(Path image, int width, int height) throws IOException {
        String base = ImageFiles.baseName(image), name = image.getFileName().toString();
        if (asks(Format.VOC)) {
            Path xml = folder.resolve(base + ".xml");
            Document d = Files.isRegularFile(xml) ? xml(xml) : null;
            if (d != null && !CvatXml.isCvat(d)) return new Found(xml, voc(xml, d, width, height), Format.VOC);
        }
        Found own = ownJson(image, base, width, height);
        if (own != null) return own;
        if (asks(Format.YOLO)) {
            Path txt = yoloFile(image, base);
            if (txt != null) return new Found(txt, yolo(txt, width, height), Format.YOLO);
        }
        if (asks(Format.COCO) || asks(Format.VIA) || asks(Format.LABELSTUDIO)) {
            if (coco == null) readFolderJson(); // fills the COCO, VIA and Label Studio maps
            Found f = asks(Format.COCO) ? coco.get(name) : null;
            if (f == null && asks(Format.VIA)) f = via.get(name);
            if (f != null) return new Found(f.file(), checked(f.rois(), f.file(), width, height), f.format());
            LabelStudioFound s = asks(Format.LABELSTUDIO) ? labelStudio.get(name) : null;
            if (s != null) {
                List<Roi> rois = LabelStudioJson.rois(s.results(), width, height, s.file(), name, warn);
                return new Found(s.file(), checked(rois, s.file(), width, height), Format.LABELSTUDIO);
            }
        }
        if (asks(Format.CVAT)) {
            if (cvat == null) cvat = readCvat();
            CvatFound f = cvat.get(name);
            if (f != null) {
                f.image().requireSize(f.file().getFileName().toString(), name, width, height);
                return new Found(f.file(), checked(f.image().rois(), f.file(), width, height), Format.CVAT);
            }
        }
        if (asks(Format.CSV)) {
            if (csv == null) csv = readCsv();
            Found f = csv.get(name);
            if (f != null) return new Found(f.file(), checked(f.rois(), f.file(), width, height), f.format());
        }
        return null;
    }

    /** Whether this folder's annotations are to be looked for in {@code f}: that format was asked for, or any. */
    private boolean asks(Format f) {
        return format == Format.AUTO || format == f;
    }

    /** What {@link #forImage} looked for, for the message when it found nothing. */
    public String lookedFor(Path image) {
        String base = ImageFiles.baseName(image);
        return switch (format) {
            case VOC -> base + ".xml";
            case GEOJSON, GEOJSON_NUCLEI -> base + ".geojson (QuPath)";
            case LABELME -> base + ".json (labelme)";
            case VIA -> "a VIA .json naming " + image.getFileName();
            case LABELSTUDIO -> "a Label Studio .json naming " + image.getFileName();
            case YOLO -> base + ".txt (with data.yaml, classes.txt or obj.names)";
            case COCO -> "a COCO .json naming " + image.getFileName();
            case CVAT -> "a CVAT annotations.xml naming " + image.getFileName();
            case CSV -> "a .csv with a row for " + image.getFileName();
            default ->
                base + ".xml (Pascal VOC), " + base + ".geojson (QuPath), " + base + ".json (labelme), " + base
                        + ".txt (YOLO), a COCO, VIA or Label Studio .json, a CVAT annotations.xml or a .csv naming it";
        };
    }

    // Pascal VOC

    private List<Roi> voc(Path xml, Document d, int width, int height) {
        Element size = first(d.getDocumentElement(), "size");
        if (size != null) {
            int w = (int) number(first(size, "width"), xml, "size/width", 0),
                    h = (int) number(first(size, "height"), xml, "size/height", 0);
            if (w > 0 && h > 0 && (w != width || h != height))
                throw new IllegalArgumentException(xml.getFileName() + " describes a " + w + " × " + h + " image but "
                        + "its image is " + width + " × " + height + "; the boxes belong to another size (a resized"
                        + " export?): annotate the image as it is, or export the boxes again");
        }
        List<Roi> rois = new ArrayList<>();
        NodeList objects = d.getElementsByTagName("object");
        for (int i = 0; i < objects.getLength(); i++) {
            Element o = (Element) objects.item(i);
            String name = text(first(o, "name"));
            Element b = first(o, "bndbox");
            if (name.isEmpty() || b == null)
                throw new IllegalArgumentException(xml.getFileName() + ": object " + (i + 1) + " has no <name> or"
                        + " <bndbox>; it is not Pascal VOC as labelImg or CVAT write it");
            double xmin = number(first(b, "xmin"), xml, "xmin", Double.NaN),
                    ymin = number(first(b, "ymin"), xml, "ymin", Double.NaN),
                    xmax = number(first(b, "xmax"), xml, "xmax", Double.NaN),
                    ymax = number(first(b, "ymax"), xml, "ymax", Double.NaN);
            // VOC corners are 1-based and inclusive: pixels xmin..xmax are columns xmin−1..xmax−1 from 0. A box whose
            // corners coincide is a click, not a one-pixel object (labelImg leaves such when a drag does not move).
            if (xmax <= xmin || ymax <= ymin) add(rois, name, xmin, ymin, xmin, ymin, xml, width, height);
            else add(rois, name, xmin - 1, ymin - 1, xmax, ymax, xml, width, height);
        }
        return rois;
    }

    private static Document xml(Path file) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true); // no external entities
            try (InputStream in = Files.newInputStream(file)) {
                return f.newDocumentBuilder().parse(in);
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(file.getFileName() + " is not readable XML (" + e.getMessage() + ")", e);
        }
    }

    private static Element first(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().trim();
    }

    private static double number(Element e, Path file, String what, double otherwise) {
        if (e == null) {
            if (!Double.isNaN(otherwise)) return otherwise;
            throw new IllegalArgumentException(file.getFileName() + ": a box has no <" + what + ">");
        }
        try {
            return Double.parseDouble(text(e));
        } catch (NumberFormatException bad) {
            throw new IllegalArgumentException(
                    file.getFileName() + ": <" + what + "> is \"" + text(e) + "\", not a number");
        }
    }

    // GeoJSON

    /**
     * The image's own JSON file, read once: NAME.geojson, or NAME.json holding GeoJSON (QuPath scripts write either)
     * or labelme's shapes; null when there is none of the formats asked for.
     */
    private Found ownJson(Path image, String base, int width, int height) throws IOException {
        boolean geoJson = asks(Format.GEOJSON) || format == Format.GEOJSON_NUCLEI, labelme = asks(Format.LABELME);
        if (!geoJson && !labelme) return null;
        Path file = folder.resolve(base + ".geojson");
        if (!geoJson || !Files.isRegularFile(file)) file = folder.resolve(base + ".json");
        if (!Files.isRegularFile(file)) return null;
        JsonElement root = GeoJsonObjects.parse(file);
        if (root == null && format != Format.AUTO)
            throw new IllegalArgumentException(
                    file.getFileName() + " is not valid JSON; save it again in the annotation tool");
        if (root == null) warn.accept("warning: " + file.getFileName() + " is not valid JSON; not read");
        if (root != null && geoJson && GeoJsonObjects.isGeoJson(root))
            return new Found(
                    file,
                    checked(
                            GeoJsonObjects.read(root, file, format == Format.GEOJSON_NUCLEI, warn),
                            file,
                            width,
                            height),
                    format == Format.GEOJSON_NUCLEI ? format : Format.GEOJSON);
        if (root != null && labelme && LabelmeJson.isLabelme(root)) {
            ImageShapes shapes = LabelmeJson.read(root.getAsJsonObject(), file, warn);
            shapes.requireSize(
                    file.getFileName().toString(), image.getFileName().toString(), width, height);
            return new Found(file, checked(shapes.rois(), file, width, height), Format.LABELME);
        }
        if (file.getFileName().toString().endsWith(".geojson"))
            throw new IllegalArgumentException(file.getFileName() + " is JSON but not GeoJSON (no Feature or"
                    + " FeatureCollection); QuPath writes it with File › Export objects as GeoJSON");
        return null;
    }

    // YOLO

    private Path yoloFile(Path image, String base) {
        Path here = folder.resolve(base + ".txt");
        if (Files.isRegularFile(here)) return here;
        Path parent = image.toAbsolutePath().getParent();
        if (parent != null
                && parent.getFileName() != null
                && parent.getFileName().toString().equals("images")) {
            Path labels = parent.resolveSibling("labels").resolve(base + ".txt"); // Ultralytics' layout
            if (Files.isRegularFile(labels)) return labels;
        }
        return null;
    }

    private List<Roi> yolo(Path txt, int width, int height) throws IOException {
        List<String> names = yoloNames(txt);
        List<Roi> rois = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(txt, StandardCharsets.UTF_8)) {
            n++;
            String[] f = line.trim().split("\\s+");
            if (line.isBlank()) continue;
            if (f.length < 5)
                throw new IllegalArgumentException(txt.getFileName() + " line " + n + ": \"" + line.trim()
                        + "\" is not \"class cx cy w h\" (YOLO)");
            try {
                int c = Integer.parseInt(f[0]);
                if (c < 0 || c >= names.size())
                    throw new IllegalArgumentException(txt.getFileName() + " line " + n + ": class " + c
                            + ", but the class names list " + names.size() + " (" + String.join(", ", names) + ")");
                if (f.length >= 7 && f.length % 2 == 1) {
                    rois.addAll(checked(List.of(yoloOutline(f, names.get(c), width, height)), txt, width, height));
                    continue;
                }
                double cx = Double.parseDouble(f[1]) * width, cy = Double.parseDouble(f[2]) * height;
                double w = Double.parseDouble(f[3]) * width, h = Double.parseDouble(f[4]) * height;
                add(rois, names.get(c), cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, txt, width, height);
            } catch (NumberFormatException bad) {
                throw new IllegalArgumentException(txt.getFileName() + " line " + n + ": \"" + line.trim()
                        + "\" holds a value that is not a number");
            }
        }
        return rois;
    }

    /**
     * A line of YOLO's segmentation format (Ultralytics YOLO-seg, Roboflow: "class x1 y1 x2 y2 …", 3 or more points
     * relative to the image) as a polygon ROI; its box is the polygon's bounds. A detection line has 5 values (6 with
     * a score), a polygon line an odd number from 7.
     */
    private static Roi yoloOutline(String[] f, String cls, int width, int height) {
        int n = (f.length - 1) / 2;
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (float) (Double.parseDouble(f[1 + 2 * i]) * width);
            ys[i] = (float) (Double.parseDouble(f[2 + 2 * i]) * height);
        }
        Roi roi = new PolygonRoi(xs, ys, n, Roi.POLYGON);
        roi.setName(cls);
        return roi;
    }

    /** YOLO's class names: data.yaml's names (a list or a map), classes.txt or obj.names, beside or above the file. */
    @SuppressWarnings("unchecked")
    private List<String> yoloNames(Path txt) throws IOException {
        if (yoloNames != null) return yoloNames;
        List<Path> places = new ArrayList<>();
        for (Path d = txt.toAbsolutePath().getParent(); d != null && places.size() < 9; d = d.getParent())
            for (String name : new String[] {"data.yaml", "classes.txt", "obj.names"}) places.add(d.resolve(name));
        for (Path p : places) {
            if (!Files.isRegularFile(p)) continue;
            if (p.getFileName().toString().endsWith(".yaml")) {
                Object o;
                try (InputStream in = Files.newInputStream(p)) {
                    o = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
                } catch (RuntimeException e) {
                    throw new IOException(p + " is not valid YAML (" + e.getMessage() + ")", e);
                }
                Object names = o instanceof Map<?, ?> m ? m.get("names") : null;
                List<String> out = new ArrayList<>();
                if (names instanceof List<?> l) for (Object n : l) out.add(String.valueOf(n));
                else if (names instanceof Map<?, ?> m)
                    for (int i = 0; i < m.size(); i++)
                        out.add(String.valueOf(((Map<Object, Object>) m).getOrDefault(i, "class" + i)));
                if (!out.isEmpty()) return yoloNames = out;
            } else {
                List<String> out = new ArrayList<>();
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8))
                    if (!line.isBlank()) out.add(line.trim());
                if (!out.isEmpty()) return yoloNames = out;
            }
        }
        throw new IOException(txt.getFileName() + " is YOLO (class numbers) but no class names were found: put"
                + " data.yaml (names: [...]), classes.txt or obj.names (one name per line) beside it");
    }

    // COCO

    /** A task's results in a Label Studio export, read against the image's size when it is known. */
    private record LabelStudioFound(Path file, JsonArray results) {}

    /** The folder's JSON files that hold a folder's annotations (COCO, VIA, Label Studio), each parsed once. */
    private void readFolderJson() throws IOException {
        coco = new HashMap<>();
        via = new HashMap<>();
        labelStudio = new HashMap<>();
        for (Path json : files(".json")) {
            JsonElement e;
            try {
                e = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8));
            } catch (JsonParseException | IllegalStateException bad) {
                if (format == Format.COCO || format == Format.VIA || format == Format.LABELSTUDIO)
                    throw new IOException(json.getFileName() + " is not valid JSON (" + bad.getMessage() + ")", bad);
                continue;
            }
            if (e.isJsonObject()
                    && e.getAsJsonObject().has("annotations")
                    && e.getAsJsonObject().has("images"))
                cocoImages(json, e.getAsJsonObject()).forEach(coco::putIfAbsent);
            else if (LabelStudioJson.isLabelStudio(e))
                LabelStudioJson.results(e.getAsJsonArray())
                        .forEach((name, results) -> labelStudio.putIfAbsent(name, new LabelStudioFound(json, results)));
            else if (ViaJson.isVia(e))
                ViaJson.read(e.getAsJsonObject(), json, warn)
                        .forEach((name, rois) -> via.putIfAbsent(name, new Found(json, rois, Format.VIA)));
            // else another JSON file (a sidecar, GeoJSON, labelme's per image): not a folder's
        }
    }

    /** Each image's boxes and outlines in one COCO file. */
    private Map<String, Found> cocoImages(Path json, JsonObject root) {
        Map<String, Found> out = new HashMap<>();
        Map<Long, String> categories = new HashMap<>(), images = new HashMap<>();
        Map<String, int[]> sizes = new HashMap<>();
        for (JsonElement c : array(root, "categories", json))
            categories.put(
                    c.getAsJsonObject().get("id").getAsLong(),
                    c.getAsJsonObject().get("name").getAsString());
        for (JsonElement i : array(root, "images", json)) {
            JsonObject entry = i.getAsJsonObject();
            String file = ImageFiles.nameOf(entry.get("file_name").getAsString());
            images.put(entry.get("id").getAsLong(), file);
            if (entry.has("width") && entry.has("height"))
                sizes.put(file, new int[] {
                    entry.get("height").getAsInt(), entry.get("width").getAsInt()
                });
        }
        Map<String, List<Roi>> rois = new LinkedHashMap<>();
        for (String f : images.values()) rois.put(f, new ArrayList<>());
        for (JsonElement a : array(root, "annotations", json)) {
            JsonObject o = a.getAsJsonObject();
            String file = images.get(o.get("image_id").getAsLong());
            String cls = categories.get(o.get("category_id").getAsLong());
            if (file == null || cls == null)
                throw new IllegalArgumentException(json.getFileName() + ": annotation " + o.get("id")
                        + " names an image or category the file does not list");
            JsonArray b = o.getAsJsonArray("bbox");
            double x = b.get(0).getAsDouble(), y = b.get(1).getAsDouble();
            Roi box = named(cls, x, y, x + b.get(2).getAsDouble(), y + b.get(3).getAsDouble());
            Roi outline = outline(o, box, json, file, sizes.get(file));
            rois.get(file).add(outline != null ? outline : box);
        }
        rois.forEach((file, list) -> out.putIfAbsent(file, new Found(json, list, Format.COCO)));
        return out;
    }

    /**
     * A COCO annotation's outline as one ROI named like its box: its polygon(s) ("segmentation": [[x1, y1, x2, y2,
     * …], …], as CVAT, Roboflow and the COCO tools write instance outlines) or its run-length encoded mask ({@link
     * CocoRle}: CVAT's brush masks, pycocotools' and Detectron2's masks); null when it has none, or (warned) when
     * the mask is for another image size or the outline lies outside its own box (the annotation is then its box).
     */
    private Roi outline(JsonObject annotation, Roi box, Path json, String image, int[] imageSize) {
        JsonElement seg = annotation.get("segmentation");
        if (seg == null || seg.isJsonNull()) return null;
        String which = json.getFileName() + ": annotation " + annotation.get("id") + " of " + image;
        if (seg.isJsonObject()) return maskOutline(seg.getAsJsonObject(), box, which, imageSize);
        if (!seg.isJsonArray() || seg.getAsJsonArray().isEmpty()) return null;
        ShapeRoi union = null;
        for (JsonElement polygon : seg.getAsJsonArray()) {
            JsonArray xy = polygon.isJsonArray() ? polygon.getAsJsonArray() : null;
            if (xy == null || xy.size() < 6 || xy.size() % 2 != 0) {
                warn.accept("warning: " + which + " has a polygon that is not x, y pairs of 3 or more points; read as"
                        + " its box");
                return null;
            }
            float[] xs = new float[xy.size() / 2], ys = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = xy.get(2 * i).getAsFloat();
                ys[i] = xy.get(2 * i + 1).getAsFloat();
            }
            ShapeRoi part = new ShapeRoi(new PolygonRoi(xs, ys, xs.length, Roi.POLYGON));
            union = union == null ? part : union.or(part);
        }
        if (!union.getFloatBounds().intersects(box.getFloatBounds())) {
            warn.accept("warning: " + which + ": its outline lies outside its bbox " + box.getFloatBounds()
                    + "; the annotation is read as its box (fix the outline or the box in the annotation tool)");
            return null;
        }
        Roi roi = union.trySimplify();
        roi.setName(box.getName());
        return roi;
    }

    private Roi maskOutline(JsonObject rle, Roi box, String which, int[] imageSize) {
        int[] hw = CocoRle.size(rle, which);
        if (imageSize != null && (hw[0] != imageSize[0] || hw[1] != imageSize[1])) {
            warn.accept("warning: " + which + " has a run-length mask of " + hw[1] + " × " + hw[0] + " pixels but"
                    + " the file says the image is " + imageSize[1] + " × " + imageSize[0] + "; read as its box");
            return null;
        }
        Roi roi = CocoRle.outline(rle, which);
        if (roi == null || !roi.getFloatBounds().intersects(box.getFloatBounds())) {
            warn.accept("warning: " + which + ": its mask " + (roi == null ? "is empty" : "lies outside its bbox")
                    + "; the annotation is read as its box");
            return null;
        }
        roi.setName(box.getName());
        return roi;
    }

    // CVAT XML

    private record CvatFound(Path file, ImageShapes image) {}

    private Map<String, CvatFound> readCvat() throws IOException {
        Map<String, CvatFound> out = new HashMap<>();
        for (Path file : files(".xml")) {
            Document d;
            try {
                d = xml(file);
            } catch (IOException notXml) {
                if (format == Format.CVAT) throw notXml;
                continue;
            }
            if (!CvatXml.isCvat(d)) continue; // Pascal VOC, or another XML file
            CvatXml.read(d, file, warn).forEach((name, image) -> out.putIfAbsent(name, new CvatFound(file, image)));
        }
        return out;
    }

    private static JsonArray array(JsonObject root, String field, Path file) {
        if (!root.has(field) || !root.get(field).isJsonArray())
            throw new IllegalArgumentException(file.getFileName() + " has no \"" + field + "\" list; it is not COCO");
        return root.getAsJsonArray(field);
    }

    // CSV

    private Map<String, Found> readCsv() throws IOException {
        Map<String, Found> out = new HashMap<>();
        for (Path file : files(".csv")) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()) continue;
            List<String> header = new ArrayList<>();
            for (String h : lines.get(0).split(","))
                header.add(h.trim().toLowerCase(Locale.ROOT).replace("\"", ""));
            int image = column(header, "image", "filename", "file", "image_name", "path"),
                    cls = column(header, "class", "label", "class_name", "name", "category");
            int x = column(header, "x", "xmin", "x1", "left"), y = column(header, "y", "ymin", "y1", "top");
            int w = column(header, "width", "w"), h = column(header, "height", "h");
            int x2 = column(header, "xmax", "x2", "right"), y2 = column(header, "ymax", "y2", "bottom");
            // With corners (xmin … ymax) any width and height columns are the image's, as in TensorFlow's object
            // detection CSV (Roboflow's _annotations.csv: filename, width, height, class, xmin, ymin, xmax, ymax).
            boolean corners = x2 >= 0 && y2 >= 0;
            if (image < 0 || cls < 0 || x < 0 || y < 0 || (!corners && (w < 0 || h < 0))) continue;
            Map<String, List<Roi>> rois = new LinkedHashMap<>();
            for (int n = 1; n < lines.size(); n++) {
                if (lines.get(n).isBlank()) continue;
                String[] f = lines.get(n).split(",", -1);
                try {
                    double x0 = Double.parseDouble(f[x].trim()), y0 = Double.parseDouble(f[y].trim());
                    double x1 = corners ? Double.parseDouble(f[x2].trim()) : x0 + Double.parseDouble(f[w].trim());
                    double y1 = corners ? Double.parseDouble(f[y2].trim()) : y0 + Double.parseDouble(f[h].trim());
                    String name = ImageFiles.nameOf(f[image].replace("\"", ""));
                    rois.computeIfAbsent(name, k -> new ArrayList<>())
                            .add(named(f[cls].trim().replace("\"", ""), x0, y0, x1, y1));
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException bad) {
                    throw new IllegalArgumentException(file.getFileName() + " line " + (n + 1) + ": \"" + lines.get(n)
                            + "\" does not have the columns its header names (" + lines.get(0) + ")");
                }
            }
            rois.forEach((name, list) -> out.putIfAbsent(name, new Found(file, list, Format.CSV)));
        }
        return out;
    }

    private static int column(List<String> header, String... names) {
        for (String n : names) if (header.contains(n)) return header.indexOf(n);
        return -1;
    }

    private List<Path> files(String suffix) throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    // boxes

    private static Roi named(String cls, double x1, double y1, double x2, double y2) {
        Roi r = new Roi(x1, y1, x2 - x1, y2 - y1);
        r.setName(cls);
        return r;
    }

    /**
     * The boxes kept after the checks every format gets (zero size, outside the image); an outline (a COCO polygon)
     * stays an outline, cut at the image's edges.
     */
    private List<Roi> checked(List<Roi> boxes, Path file, int width, int height) {
        List<Roi> out = new ArrayList<>();
        for (Roi r : boxes) {
            var b = r.getFloatBounds();
            if (r.getType() != Roi.RECTANGLE) {
                Roi inside = new ShapeRoi(r)
                        .and(new ShapeRoi(new Roi(0, 0, width, height)))
                        .trySimplify();
                var c = inside.getFloatBounds();
                if (c.getWidth() >= 1 && c.getHeight() >= 1) {
                    inside.setName(r.getName());
                    inside.setPosition(r.getPosition()); // a z-stack's plane (QuPath's, CVAT's) stays
                    out.add(inside);
                    continue;
                }
            }
            int before = out.size();
            add(
                    out,
                    r.getName(),
                    b.getX(),
                    b.getY(),
                    b.getX() + b.getWidth(),
                    b.getY() + b.getHeight(),
                    file,
                    width,
                    height);
            if (out.size() > before) out.get(out.size() - 1).setPosition(r.getPosition());
        }
        return out;
    }

    /** Adds a box cut at the image's edges, or warns and skips one of no size or wholly outside the image. */
    private void add(List<Roi> rois, String cls, double x1, double y1, double x2, double y2, Path file, int w, int h) {
        String box = String.format(Locale.ROOT, "%s [%.1f, %.1f, %.1f, %.1f]", cls, x1, y1, x2, y2);
        double cx1 = Math.max(0, x1), cy1 = Math.max(0, y1), cx2 = Math.min(w, x2), cy2 = Math.min(h, y2);
        if (!(x2 - x1 >= 1 && y2 - y1 >= 1)) {
            warn.accept("warning: " + file.getFileName() + ": box " + box + " has no size; skipped");
            return;
        }
        if (!(cx2 - cx1 >= 1 && cy2 - cy1 >= 1)) {
            warn.accept("warning: " + file.getFileName() + ": box " + box + " lies outside the " + w + " × " + h
                    + " image; skipped");
            return;
        }
        rois.add(named(cls, cx1, cy1, cx2, cy2));
    }
}
