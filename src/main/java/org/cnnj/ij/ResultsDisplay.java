package org.cnnj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnj.cls.ConfusionMatrix;
import org.cnnj.seg.VolumeView;

/**
 * Results on screen, the way Fiji users look at them: label images with a glasbey-like LUT (neighbours
 * in distinct colours), ROIs in the ROI Manager, outlines as an overlay on the input, a results table.
 * Only when there is a display: headless, the RoiManager and windows would throw, and files are written instead.
 */
public final class ResultsDisplay {
    private ResultsDisplay() {}

    public static boolean available() {
        return !GraphicsEnvironment.isHeadless();
    }

    /**
     * 256 colours, background black, the rest stepped around the hue circle by the golden angle with
     * varying saturation and brightness, so that consecutive labels never look alike (as glasbey LUTs do).
     */
    public static LUT labelLut() {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 1; i < 256; i++) {
            float hue = (i * 0.618034f) % 1f,
                    saturation = 0.55f + 0.45f * ((i * 7) % 3) / 2f,
                    brightness = 0.7f + 0.3f * ((i * 5) % 2);
            Color c = Color.getHSBColor(hue, saturation, brightness);
            r[i] = (byte) c.getRed();
            g[i] = (byte) c.getGreen();
            b[i] = (byte) c.getBlue();
        }
        return new LUT(r, g, b);
    }

    /** The label image with the label LUT; labels 1..255 each get their own colour (beyond, colours repeat by range). */
    public static ImagePlus styleLabels(ImagePlus labels) {
        LUT lut = labelLut();
        labels.getProcessor().setLut(lut);
        double max = labels.getStatistics().max;
        labels.setDisplayRange(0, Math.max(255, max));
        if (labels.getStackSize() > 1) labels.getStack().setColorModel(lut);
        return labels;
    }

    /**
     * A 3-D label image seen from around ({@link VolumeView}): 36 RGB frames turning 10° each about the vertical axis,
     * the objects in the label LUT's colours, darker with depth, the z spacing from the calibration; ImageJ animates
     * it (Image › Stacks › Animation, or \\). Title: the labels' title with " 3-D".
     */
    public static ImagePlus turning(ImagePlus labels) {
        // At most ~32 M voxels are drawn (every step-th pixel in x and y): a view, not a measurement, in little memory.
        long all = (long) labels.getWidth() * labels.getHeight() * labels.getStackSize();
        int step = (int) Math.max(1, Math.ceil(Math.sqrt(all / (double) (32 << 20))));
        int w = (labels.getWidth() + step - 1) / step, h = (labels.getHeight() + step - 1) / step;
        int d = labels.getStackSize();
        int[] voxels = new int[d * h * w];
        for (int z = 0; z < d; z++) {
            ImageProcessor ip = labels.getStack().getProcessor(z + 1);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) voxels[(z * h + y) * w + x] = Math.round(ip.getf(x * step, y * step));
        }
        Calibration c = labels.getCalibration();
        double zRatio = (c.pixelWidth > 0 && c.pixelDepth > 0 ? c.pixelDepth / c.pixelWidth : 1) / step;
        LUT lut = labelLut();
        int[] colours = new int[256];
        for (int i = 0; i < 256; i++) colours[i] = lut.getRGB(i) & 0xFFFFFF;
        VolumeView.Frames f = VolumeView.turning(voxels, new int[] {d, h, w}, zRatio, 36, colours);
        ImageStack stack = new ImageStack(f.width(), f.height());
        for (int k = 0; k < f.rgb().length; k++)
            stack.addSlice((k * 10) + "°", new ColorProcessor(f.width(), f.height(), f.rgb()[k]));
        ImagePlus view = new ImagePlus(labels.getTitle() + " 3-D", stack);
        view.getCalibration().fps = 12;
        return view;
    }

    /** Outlines of the objects as an overlay on {@code image}; with {@code numbers}, each drawn with its name (while ≤ 2000). */
    public static void overlay(ImagePlus image, List<Roi> rois, boolean numbers) {
        image.setOverlay(outlines(rois, numbers && rois.size() <= 2000));
    }

    /** The ROIs (copies) as an overlay, each in its own colour unless it has one, optionally drawn with their names. */
    public static Overlay outlines(List<Roi> rois, boolean names) {
        LUT lut = labelLut();
        Overlay overlay = new Overlay();
        for (int i = 0; i < rois.size(); i++) {
            Roi r = (Roi) rois.get(i).clone();
            if (r.getStrokeColor() == null) r.setStrokeColor(new Color(lut.getRGB(1 + i % 255)));
            overlay.add(r);
        }
        overlay.drawNames(names);
        overlay.drawLabels(names);
        overlay.setLabelColor(Color.WHITE);
        return overlay;
    }

    /** How a run's ROIs go into the ROI Manager. */
    public enum RoiMode {
        /** Remove the ROIs an earlier CNN-J run put there for the same image first (the user's own stay). */
        REPLACE,
        /** Keep everything there and add. */
        APPEND;

        public static RoiMode parse(String s) {
            return switch (s == null ? "replace" : s.trim().toLowerCase(Locale.ROOT)) {
                case "replace", "" -> REPLACE;
                case "append" -> APPEND;
                default -> throw new IllegalArgumentException("rois must be replace or append, got \"" + s + "\"");
            };
        }
    }

    /** The ROI property that says which image a CNN-J run made a ROI for. */
    static final String SOURCE = "cnnj-image";

    /**
     * ImageJ colours a ROI group from luts/glasbey.lut and logs a line per ROI when that file is missing (plain ImageJ,
     * headless servers): ROIs are grouped only where it exists; their names carry the class anyway.
     */
    static final boolean GROUP_COLOURS_AVAILABLE = groupColoursAvailable();

    private static boolean groupColoursAvailable() {
        try {
            String luts = IJ.getDir("luts");
            return luts != null
                    && (Files.exists(Path.of(luts, "glasbey.lut")) || Files.exists(Path.of(luts, "Glasbey.lut")));
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Adds the ROIs to the ROI Manager (display only), tagged with the image they belong to; in
     * {@link RoiMode#REPLACE} mode the ROIs of an earlier CNN-J run on that image go first.
     */
    public static void toRoiManager(List<Roi> rois, ImagePlus image, RoiMode mode) {
        if (!available()) return;
        // The manager's own steps are ours, not the user's: recorded, they replay as one roiManager("Select") line per
        // ROI, which stops a -batch run where the manager is empty. The command's one line is recorded instead.
        Recorder.suspendRecording();
        try {
            addToRoiManager(rois, image, mode);
        } finally {
            Recorder.resumeRecording();
        }
    }

    private static void addToRoiManager(List<Roi> rois, ImagePlus image, RoiMode mode) {
        RoiManager rm = RoiManager.getRoiManager();
        String source = image.getTitle() + "#" + image.getID();
        if (mode == RoiMode.REPLACE) {
            Roi[] present = rm.getRoisAsArray();
            List<Integer> ours = new ArrayList<>();
            for (int i = 0; i < present.length; i++) if (source.equals(present[i].getProperty(SOURCE))) ours.add(i);
            for (int i = ours.size() - 1; i >= 0; i--) rm.delete(ours.get(i));
        }
        for (Roi r : rois) {
            Roi copy = (Roi) r.clone();
            copy.setProperty(SOURCE, source);
            rm.addRoi(copy);
        }
        rm.runCommand("Show None"); // the overlay CNN-J sets shows them, in class colours
    }

    /** The ROIs of the ROI Manager that belong to {@code image}, with their places in the manager, and how many did not. */
    public record ImageRois(List<Roi> rois, int[] indexes, int others) {}

    /**
     * The ROI Manager's ROIs of {@code image}: those CNN-J put there for it (tagged with the image), those drawn on it
     * (ImageJ records the image a ROI was drawn on), and those of no known image; not those of other images.
     */
    public static ImageRois roisOf(ImagePlus image) {
        RoiManager rm = available() ? RoiManager.getInstance() : null;
        if (rm == null) return null;
        Roi[] all = rm.getRoisAsArray();
        List<Roi> mine = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (!belongsTo(all[i], image)) continue;
            mine.add(all[i]);
            at.add(i);
        }
        return new ImageRois(mine, at.stream().mapToInt(Integer::intValue).toArray(), all.length - mine.size());
    }

    /** Whether a ROI is of {@code image}: by CNN-J's tag, else by the image ImageJ drew it on, else (unknown) yes. */
    static boolean belongsTo(Roi roi, ImagePlus image) {
        String source = roi.getProperty(SOURCE);
        if (source != null) return source.equals(image.getTitle() + "#" + image.getID());
        int id = roi.getImageID();
        return id == 0 || id == image.getID();
    }

    /** The ROI Manager's ROIs at {@code indexes} replaced by {@code rois} (tagged with {@code image}), the others kept. */
    public static void replaceInRoiManager(int[] indexes, List<Roi> rois, ImagePlus image) {
        if (!available()) return;
        RoiManager rm = RoiManager.getRoiManager();
        Recorder.suspendRecording();
        try {
            int[] sorted = indexes.clone();
            Arrays.sort(sorted);
            for (int i = sorted.length - 1; i >= 0; i--) rm.delete(sorted[i]);
        } finally {
            Recorder.resumeRecording();
        }
        toRoiManager(rois, image, RoiMode.APPEND);
    }

    /** A window title not used by an open image yet: {@code name}, else name-2, name-3, ... */
    public static String uniqueTitle(String name) {
        if (!available() || WindowManager.getImage(name) == null) return name;
        for (int i = 2; ; i++) if (WindowManager.getImage(name + "-" + i) == null) return name + "-" + i;
    }

    public static void showTable(ResultsTable table, String title) {
        if (available()) table.show(title);
    }

    /**
     * The objects' table as ImageJ shows measurements: "Area (µm²)" for a calibrated image, "Area (pixel²)" otherwise
     * (an uncalibrated TIFF may carry a blank unit, which gave "Area ( ²)").
     */
    public static ResultsTable measurements(List<LabelResults.Measurement> rows, String unit) {
        if (unit == null || unit.isBlank()) unit = "pixel";
        ResultsTable t = new ResultsTable();
        for (LabelResults.Measurement m : rows) {
            t.incrementCounter();
            if (m.position() > 0) t.addValue("Slice", m.position());
            t.addValue("Label", m.label());
            t.addValue("Area (" + unit + "²)", m.area());
            t.addValue("X", m.centroidX());
            t.addValue("Y", m.centroidY());
            t.addValue("Mean", m.meanIntensity());
        }
        return t;
    }

    public static ResultsTable detections(List<Roi> rois) {
        ResultsTable t = new ResultsTable();
        for (Roi r : rois) {
            String name = r.getName();
            int space = name.lastIndexOf(' ');
            t.incrementCounter();
            if (r.getPosition() > 0) t.addValue("Slice", r.getPosition());
            t.addValue("Class", name.substring(0, space));
            t.addValue("Score", Double.parseDouble(name.substring(space + 1)));
            Rectangle2D b = r.getFloatBounds();
            t.addValue("X", b.getX());
            t.addValue("Y", b.getY());
            t.addValue("Width", b.getWidth());
            t.addValue("Height", b.getHeight());
            if (r.getType() != Roi.RECTANGLE) { // an outline (a detector with masks): its size and shape
                double area = r.getContainedPoints().length, perimeter = r.getLength();
                t.addValue("Area", area);
                t.addValue("Perimeter", perimeter);
                t.addValue(
                        "Circularity", perimeter > 0 ? Math.min(1, 4 * Math.PI * area / (perimeter * perimeter)) : 0);
            }
        }
        t.setDecimalPlaces(t.getColumnIndex("Score"), 3);
        return t;
    }

    /** A confusion matrix as a table: one row per true class, one column per predicted class, then recall. */
    public static ResultsTable confusion(ConfusionMatrix m) {
        ResultsTable t = new ResultsTable();
        for (int truth = 0; truth < m.classes().size(); truth++) {
            t.incrementCounter();
            t.addValue("True class", m.classes().get(truth));
            for (int p = 0; p < m.classes().size(); p++) t.addValue(m.classes().get(p), m.count(truth, p));
            t.addValue("Recall", m.recall(truth));
        }
        t.incrementCounter();
        t.addValue("True class", "precision");
        for (int p = 0; p < m.classes().size(); p++) t.addValue(m.classes().get(p), m.precision(p));
        t.addValue("Recall", m.accuracy());
        return t;
    }
}
