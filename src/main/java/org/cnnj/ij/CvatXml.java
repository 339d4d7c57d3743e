package org.cnnj.ij;

import ij.gui.PolygonRoi;
import ij.gui.Roi;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.io.ImageFiles;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * CVAT's own XML ("CVAT for images 1.1": annotations.xml, one file for a task) read into ROIs named by their label:
 * {@code <box>} (xtl, ytl, xbr, ybr from the image's top-left corner; a rotated box by its corners),
 * {@code <polygon>} ("x,y;x,y;…"), {@code <mask>} (CVAT's brush masks: comma-separated runs alternating 0s and 1s,
 * first a run of 0s, row by row over the box left, top, width, height) and {@code <ellipse>} (cx, cy, rx, ry,
 * rotation in degrees); points, polylines, cuboids and skeletons have no area and are skipped with a warning; tags
 * (labels of the whole image) are not objects.
 */
final class CvatXml {
    private CvatXml() {}

    /** Whether the XML is CVAT's (root {@code <annotations>}), not Pascal VOC ({@code <annotation>}). */
    static boolean isCvat(Document d) {
        return d.getDocumentElement().getTagName().equals("annotations");
    }

    /** The objects of every image the file lists, by the image's file name (folders dropped). */
    static Map<String, ImageShapes> read(Document d, Path file, Consumer<String> warn) {
        Map<String, ImageShapes> out = new LinkedHashMap<>();
        NodeList images = d.getDocumentElement().getElementsByTagName("image");
        if (images.getLength() == 0
                && d.getDocumentElement().getElementsByTagName("track").getLength() > 0)
            throw new IllegalArgumentException(file.getFileName() + " is CVAT for video (tracks, no images); export"
                    + " the task as \"CVAT for images 1.1\"");
        for (int i = 0; i < images.getLength(); i++) {
            Element image = (Element) images.item(i);
            String name = ImageFiles.nameOf(image.getAttribute("name"));
            List<Roi> rois = new ArrayList<>();
            for (Node n = image.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (!(n instanceof Element shape)) continue;
                String which = file.getFileName() + ": " + name + ", " + shape.getTagName() + " \""
                        + shape.getAttribute("label") + "\"";
                Roi roi = shape(shape, which, warn);
                if (roi == null) continue;
                roi.setName(shape.getAttribute("label"));
                rois.add(roi);
            }
            out.put(
                    name,
                    new ImageShapes(
                            rois,
                            integer(image, "width", which(file, name)),
                            integer(image, "height", which(file, name))));
        }
        return out;
    }

    private static String which(Path file, String image) {
        return file.getFileName() + ": " + image;
    }

    private static Roi shape(Element e, String which, Consumer<String> warn) {
        switch (e.getTagName()) {
            case "box": {
                double x1 = number(e, "xtl", which), y1 = number(e, "ytl", which);
                double x2 = number(e, "xbr", which), y2 = number(e, "ybr", which);
                double angle = e.hasAttribute("rotation") ? number(e, "rotation", which) : 0;
                if (angle == 0) return new Roi(x1, y1, x2 - x1, y2 - y1);
                double cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, hw = (x2 - x1) / 2, hh = (y2 - y1) / 2;
                double[][] corners = {{-hw, -hh}, {hw, -hh}, {hw, hh}, {-hw, hh}};
                return ShapeRois.rotated(corners, cx, cy, angle);
            }
            case "polygon":
                return polygon(e.getAttribute("points"), which);
            case "ellipse":
                return ShapeRois.ellipse(
                        number(e, "cx", which),
                        number(e, "cy", which),
                        number(e, "rx", which),
                        number(e, "ry", which),
                        e.hasAttribute("rotation") ? number(e, "rotation", which) : 0);
            case "mask":
                return mask(e, which);
            case "tag":
                return null;
            default:
                warn.accept("warning: " + which + " is a " + e.getTagName() + ", not an area (box, polygon, mask or"
                        + " ellipse); skipped");
                return null;
        }
    }

    private static Roi polygon(String points, String which) {
        String[] pairs = points.trim().split(";");
        if (pairs.length < 3)
            throw new IllegalArgumentException(which + ": points=\"" + points + "\" has fewer than 3 points");
        float[] xs = new float[pairs.length], ys = new float[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            String[] xy = pairs[i].split(",");
            try {
                xs[i] = Float.parseFloat(xy[0].trim());
                ys[i] = Float.parseFloat(xy[1].trim());
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException bad) {
                throw new IllegalArgumentException(which + ": point \"" + pairs[i] + "\" is not x,y");
            }
        }
        return new PolygonRoi(xs, ys, xs.length, Roi.POLYGON);
    }

    /** A brush mask: runs row by row over its box, the first a run of 0s. */
    private static Roi mask(Element e, String which) {
        int left = (int) number(e, "left", which), top = (int) number(e, "top", which);
        int w = (int) number(e, "width", which), h = (int) number(e, "height", which);
        int[] mask = new int[w * h];
        int index = 0, value = 0;
        for (String part : e.getAttribute("rle").split(",")) {
            if (part.isBlank()) continue;
            int run;
            try {
                run = Integer.parseInt(part.trim());
            } catch (NumberFormatException bad) {
                throw new IllegalArgumentException(which + ": rle holds \"" + part.trim() + "\", not a number");
            }
            if (run < 0 || index + run > mask.length)
                throw new IllegalArgumentException(which + ": its rle runs do not add up to its " + w + " × " + h
                        + " box; the mask is damaged (export it again)");
            if (value == 1) for (int i = index; i < index + run; i++) mask[i] = 1;
            index += run;
            value ^= 1;
        }
        return LabelResults.outline(mask, w, h, left, top);
    }

    private static double number(Element e, String attribute, String which) {
        try {
            return Double.parseDouble(e.getAttribute(attribute).trim());
        } catch (NumberFormatException bad) {
            throw new IllegalArgumentException(
                    which + ": " + attribute + "=\"" + e.getAttribute(attribute) + "\" is not a number");
        }
    }

    private static int integer(Element e, String attribute, String which) {
        return e.hasAttribute(attribute) ? (int) number(e, attribute, which) : 0;
    }
}
