package org.cnnj.ij;

import ij.ImagePlus;
import ij.gui.Roi;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.cnnj.cls.LabeledCrop;
import org.cnnj.data.Resize;
import org.cnnj.io.ImageFiles;

/**
 * Classification examples from what users have: a folder of class subfolders ({@code cells/mitotic/*.tif}), a CSV
 * of file,class, or images with ROIs (a zip next to each image, or the ROI Manager) whose name or group is the class.
 * Every example becomes an S×S crop. Resize policy: a whole image (folder or CSV) is scaled to S×S (bilinear; the
 * aspect ratio is not kept, so give square images); around a ROI a square window of {@code window} pixels centred on
 * its bounding box is cut (border pixels continued where it leaves the image) and scaled to S×S. Each slice or frame
 * of a stack is one example. With {@code mask}, the ROI's filled shape is added as a last channel (1 inside).
 */
public final class ClassifierCrops {
    /** The examples, the class names in label order, and notes for the log (e.g. images that were scaled). */
    public record Loaded(List<LabeledCrop> crops, List<String> classes, List<String> notes) {}

    /**
     * How examples become crops: S, the ROI window (0 = S), whether a mask channel is added, which of the images'
     * channels the network sees.
     */
    public record Cropping(int size, int window, boolean mask, ChannelChoice channels) {
        public Cropping(int size, int window, boolean mask) {
            this(size, window, mask, ChannelChoice.ALL);
        }

        public Cropping {
            channels = channels == null ? ChannelChoice.ALL : channels;
            if (size < 16 || size > 1024)
                throw new IllegalArgumentException("crop size must be 16..1024 px, got " + size);
            if (window != 0 && (window < 4 || window > 4096))
                throw new IllegalArgumentException(
                        "the ROI window must be 4..4096 px (0 = the crop size), got " + window);
        }

        int windowOrSize() {
            return window > 0 ? window : size;
        }

        /** The same cropping of only these channels of each image, in this order. */
        public Cropping withChannels(ChannelChoice c) {
            return new Cropping(size, window, mask, c);
        }

        /** An image file with the channels this cropping takes. */
        ImagePlus open(Path file) throws IOException {
            return channels.apply(Tiffs.open(file), file.getFileName().toString());
        }
    }

    private ClassifierCrops() {}

    /**
     * Examples from {@code source}: a .csv (file,class), a folder of class subfolders, or an image or folder of
     * images with ROI zips (in {@code rois}, or beside the images). {@code classes} fixes names and order (empty:
     * found in the data, sorted); an example of a class not in it is an error.
     */
    public static Loaded load(Path source, Path rois, List<String> classes, Cropping c) throws IOException {
        if (Files.isRegularFile(source)
                && source.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) return fromCsv(source, classes, c);
        if (Files.isDirectory(source) && rois == null && !subfolders(source).isEmpty())
            return fromFolders(source, classes, c);
        return fromRoiFiles(
                source, rois == null ? (Files.isDirectory(source) ? source : source.getParent()) : rois, classes, c);
    }

    static List<Path> subfolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().endsWith("-checkpoints"))
                    .sorted()
                    .toList();
        }
    }

    static Loaded fromFolders(Path dir, List<String> classes, Cropping c) throws IOException {
        List<Path> folders = subfolders(dir);
        List<String> names = new ArrayList<>();
        for (Path f : folders) names.add(f.getFileName().toString());
        List<String> order = classes.isEmpty() ? names : classes;
        Collector out = new Collector(order, c);
        for (Path f : folders) {
            String cls = f.getFileName().toString();
            List<Path> images;
            try {
                images = ImageFiles.list(f);
            } catch (IOException e) {
                throw new IOException(
                        "class folder " + f + " has no .tif images; put the examples of class \"" + cls
                                + "\" there, or remove the folder",
                        e);
            }
            for (Path image : images) out.wholeImage(image, cls, f.getFileName() + "/" + image.getFileName());
        }
        return out.done();
    }

    static Loaded fromCsv(Path csv, List<String> classes, Cropping c) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || (i == 0 && line.toLowerCase(Locale.ROOT).startsWith("file,"))) continue;
            String[] parts = line.split("\\s*,\\s*");
            if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IOException(csv.getFileName() + " line " + (i + 1) + ": \"" + line
                        + "\" is not file,class (e.g. cells/a.tif,mitotic)");
            }
            rows.add(new String[] {parts[0], parts[1], String.valueOf(i + 1)});
        }
        if (rows.isEmpty()) throw new IOException(csv + " lists no examples; write one file,class line per image");
        TreeSet<String> found = new TreeSet<>();
        for (String[] r : rows) found.add(r[1]);
        Collector out = new Collector(classes.isEmpty() ? List.copyOf(found) : classes, c);
        Path base = csv.toAbsolutePath().getParent();
        for (String[] r : rows) {
            Path file = base.resolve(r[0]);
            if (!Files.isRegularFile(file))
                throw new IOException(csv.getFileName() + " line " + r[2] + ": " + file
                        + " does not exist; fix the path" + " (relative paths start at the CSV's folder)");
            out.wholeImage(file, r[1], r[0]);
        }
        return out.done();
    }

    static Loaded fromRoiFiles(Path images, Path roiFolder, List<String> classes, Cropping c) throws IOException {
        List<Path> files = ImageFiles.list(images);
        List<List<Roi>> rois = new ArrayList<>();
        TreeSet<String> found = new TreeSet<>();
        for (Path image : files) {
            Path zip = RoiZips.forImage(image, roiFolder);
            if (zip == null) {
                throw new IOException("no ROIs for " + image.getFileName() + ": expected "
                        + ImageFiles.baseName(image) + ".zip in " + roiFolder + " (name each ROI by its class), or"
                        + " give a folder with one subfolder per class");
            }
            List<Roi> r = RoiZips.read(zip);
            for (Roi roi : r) found.add(className(roi, image.getFileName().toString()));
            rois.add(r);
        }
        Collector out = new Collector(classes.isEmpty() ? List.copyOf(found) : classes, c);
        for (int i = 0; i < files.size(); i++)
            out.rois(
                    c.open(files.get(i)),
                    rois.get(i),
                    files.get(i).getFileName().toString());
        return out.done();
    }

    /** Examples from an open image and its ROIs (the ROI Manager's). */
    public static Loaded fromImage(ImagePlus imp, List<Roi> rois, List<String> classes, Cropping c) {
        if (rois.isEmpty())
            throw new IllegalArgumentException("there are no ROIs to learn from; outline cells, name each ROI by its"
                    + " class (or put it in a group) and add it to the ROI Manager (t)");
        TreeSet<String> found = new TreeSet<>();
        for (Roi roi : rois) found.add(className(roi, imp.getTitle()));
        Collector out = new Collector(classes.isEmpty() ? List.copyOf(found) : classes, c);
        out.rois(c.channels().apply(imp, imp.getTitle()), rois, imp.getTitle());
        return out.done();
    }

    /** The class a ROI names (group name, else its name without a trailing number: "mitotic-3" → "mitotic"). */
    static String className(Roi roi, String where) {
        String c = DetectFiles.classOf(roi);
        if (c == null || c.isBlank()) {
            throw new IllegalArgumentException(where + ": ROI \"" + roi.getName() + "\" names no class; rename it by"
                    + " its class (e.g. \"mitotic\") or put it in a named group");
        }
        return c.replaceFirst("[-_ ]\\d+$", "");
    }

    /** The S×S crops of every ROI at its position (ROIs without one: every slice). */
    static List<float[]> roiCrops(ImagePlus imp, Roi roi, Cropping c, String where) {
        Rectangle b = roi.getBounds();
        if (b.x >= imp.getWidth() || b.y >= imp.getHeight() || b.x + b.width <= 0 || b.y + b.height <= 0) {
            throw new IllegalArgumentException(where + ": ROI \"" + roi.getName() + "\" at (" + b.x + ", " + b.y
                    + ") lies outside the " + imp.getWidth() + "x" + imp.getHeight() + " image; delete it or draw it"
                    + " on this image");
        }
        int position = roi.getPosition() > 0 ? roi.getPosition() : 0;
        List<float[]> out = new ArrayList<>();
        int positions = Planes.positions(imp);
        for (int p = 1; p <= positions; p++) {
            if (position != 0 && position != p) continue;
            out.add(cropAround(Planes.of(imp, p - 1), imp.getWidth(), imp.getHeight(), roi, c));
        }
        return out;
    }

    /** [C (+1 mask), S, S]: the window centred on the ROI's bounding box, scaled to S. */
    static float[] cropAround(float[][] planes, int w, int h, Roi roi, Cropping c) {
        Rectangle b = roi.getBounds();
        int win = c.windowOrSize(), s = c.size();
        int x0 = b.x + b.width / 2 - win / 2, y0 = b.y + b.height / 2 - win / 2;
        int channels = planes.length + (c.mask() ? 1 : 0);
        float[] out = new float[channels * s * s];
        for (int ch = 0; ch < channels; ch++) {
            float[] window = new float[win * win];
            for (int y = 0; y < win; y++) {
                for (int x = 0; x < win; x++) {
                    int sx = Math.min(Math.max(x0 + x, 0), w - 1), sy = Math.min(Math.max(y0 + y, 0), h - 1);
                    window[y * win + x] =
                            ch < planes.length ? planes[ch][sy * w + sx] : roi.contains(x0 + x, y0 + y) ? 1f : 0f;
                }
            }
            float[] scaled = win == s ? window : Resize.bilinear(window, win, win, s, s);
            System.arraycopy(scaled, 0, out, ch * s * s, s * s);
        }
        return out;
    }

    /** Gathers crops with labels against the class list; an example of another class is an error naming it. */
    private static final class Collector {
        private final List<String> classes;
        private final Cropping c;
        private final List<LabeledCrop> crops = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private int scaled, channels = -1;
        private String firstSize;

        Collector(List<String> classes, Cropping c) {
            this.classes = classes;
            this.c = c;
        }

        int label(String cls, String where) {
            int i = classes.indexOf(cls);
            if (i < 0) {
                throw new IllegalArgumentException(where + " is of class \"" + cls + "\", which is not one of "
                        + classes + "; add it to the classes or leave the example out");
            }
            return i;
        }

        void wholeImage(Path file, String cls, String where) throws IOException {
            if (c.mask()) throw new IllegalArgumentException("mask=true needs ROIs; whole images have no outline");
            int label = label(cls, where);
            ImagePlus imp = c.open(file);
            checkChannels(Planes.channels(imp), where);
            int w = imp.getWidth(), h = imp.getHeight(), s = c.size();
            if (Math.min(w, h) * 4 < s) {
                throw new IllegalArgumentException(
                        where + " is " + w + " x " + h + " px, too small to be scaled up to the"
                                + " " + s + " x " + s
                                + " px crops (more than 4 times): a crop that small holds no cell; leave it"
                                + " out or choose a smaller crop size");
            }
            String size = w + "x" + h;
            if (firstSize == null) firstSize = size;
            if (w != s || h != s) scaled++;
            int positions = Planes.positions(imp);
            for (int p = 0; p < positions; p++) {
                float[][] planes = Planes.of(imp, p);
                checkFinite(planes, where + (positions > 1 ? " slice " + (p + 1) : ""));
                float[] crop = new float[planes.length * s * s];
                for (int ch = 0; ch < planes.length; ch++) {
                    float[] v = w == s && h == s ? planes[ch] : Resize.bilinear(planes[ch], w, h, s, s);
                    System.arraycopy(v, 0, crop, ch * s * s, s * s);
                }
                crops.add(new LabeledCrop(
                        where + (positions > 1 ? " slice " + (p + 1) : ""), crop, planes.length, s, label));
            }
        }

        void rois(ImagePlus imp, List<Roi> rois, String where) {
            checkChannels(Planes.channels(imp), where);
            for (int p = 0; p < Planes.positions(imp); p++) checkFinite(Planes.of(imp, p), where);
            for (Roi roi : rois) {
                int label = label(className(roi, where), where + ": ROI \"" + roi.getName() + "\"");
                for (float[] crop : roiCrops(imp, roi, c, where))
                    crops.add(new LabeledCrop(
                            where + ": " + roi.getName(),
                            crop,
                            Planes.channels(imp) + (c.mask() ? 1 : 0),
                            c.size(),
                            label));
            }
        }

        /** NaN or infinite pixels would make the crop's normalization and the training's loss NaN: named instead. */
        private static void checkFinite(float[][] planes, String where) {
            for (int ch = 0; ch < planes.length; ch++) {
                for (int i = 0; i < planes[ch].length; i++) {
                    if (!Float.isFinite(planes[ch][i])) {
                        throw new IllegalArgumentException(
                                where + " has a " + (Float.isNaN(planes[ch][i]) ? "NaN" : "infinite")
                                        + " pixel (index " + i + (planes.length > 1 ? ", channel " + (ch + 1) : "")
                                        + "); replace"
                                        + " them (Process › Math › Remove NaNs…) or leave the example out");
                    }
                }
            }
        }

        private void checkChannels(int n, String where) {
            if (channels < 0) channels = n;
            else if (channels != n)
                throw new IllegalArgumentException(where + " has " + n + " channel(s) but earlier examples have "
                        + channels + "; give every example the same channels");
        }

        Loaded done() {
            if (crops.isEmpty()) throw new IllegalArgumentException("no examples were found");
            if (scaled > 0)
                notes.add(scaled + " image(s) (e.g. " + firstSize + ") were scaled to " + c.size() + "x" + c.size()
                        + " (bilinear, aspect ratio not kept)");
            return new Loaded(crops, classes, notes);
        }
    }
}
