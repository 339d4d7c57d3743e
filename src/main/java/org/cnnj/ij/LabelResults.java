package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnj.data.Labels;
import org.cnnj.io.AtomicFiles;

/**
 * Turns a label image into what Fiji users work with: one ROI per label (ThresholdToSelection on the
 * label's bounding box, named by its label), a ROI Manager–compatible .zip, and a measurements table
 * (label, area, centroid, mean intensity) in calibrated units. Works headless: no RoiManager, no windows.
 */
public final class LabelResults {
    /** One object's measurements. */
    public record Measurement(
            int position, int label, double area, double centroidX, double centroidY, double meanIntensity) {}

    private LabelResults() {}

    /** ROIs for labels 1..max of a [width × height] label image; {@code position} (1-based slice) is set when > 0. */
    public static List<Roi> rois(int[] labels, int width, int height, int position) {
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        int[] box = Labels.bounds(labels, width, height, max);
        List<Roi> rois = new ArrayList<>();
        for (int l = 1; l <= max; l++) {
            if (box[4 * l + 2] < 0) continue;
            int x0 = box[4 * l], y0 = box[4 * l + 1], bw = box[4 * l + 2] - x0 + 1, bh = box[4 * l + 3] - y0 + 1;
            ByteProcessor mask = new ByteProcessor(bw, bh);
            for (int y = 0; y < bh; y++) {
                for (int x = 0; x < bw; x++) if (labels[(y0 + y) * width + x0 + x] == l) mask.set(x, y, 255);
            }
            mask.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
            Roi roi = ThresholdToSelection.run(new ImagePlus("mask", mask));
            if (roi == null) continue;
            roi.setLocation(roi.getXBase() + x0, roi.getYBase() + y0);
            roi.setName(String.valueOf(l)); // as the results table and the label image number it
            if (position > 0) roi.setPosition(position);
            rois.add(roi);
        }
        return rois;
    }

    /**
     * The outline of a 0/1 mask of a [width × height] box whose top-left corner is at (left, top) in the image, as one
     * ROI (several parts or holes: a composite ROI); null when the mask is empty.
     */
    static Roi outline(int[] mask, int width, int height, int left, int top) {
        List<Roi> rois = rois(mask, width, height, 0);
        if (rois.isEmpty()) return null;
        Roi roi = rois.get(0);
        roi.setLocation(roi.getXBase() + left, roi.getYBase() + top);
        return roi;
    }

    /**
     * A label image from ROIs (any shape): ROI i is object i+1 (where ROIs overlap the later one wins);
     * a ROI with a position goes to that slice only, one without to every slice.
     */
    public static ImagePlus rasterize(List<Roi> rois, int width, int height, int slices) {
        ImageStack stack = new ImageStack(width, height);
        for (int s = 1; s <= slices; s++) {
            for (int i = 65535; i < rois.size(); i++) {
                if (onSlice(rois.get(i), s))
                    throw new IllegalArgumentException("more than 65535 ROIs on one image; split the image");
            }
            ShortProcessor ip = new ShortProcessor(width, height);
            paint(ip, rois, s);
            stack.addSlice(ip);
        }
        return new ImagePlus("labels from ROIs", stack);
    }

    /** ROI i of {@code rois} filled with value i + 1 into {@code ip} where it belongs to {@code slice}; later ROIs win. */
    static void paint(ImageProcessor ip, List<Roi> rois, int slice) {
        for (int i = 0; i < rois.size(); i++) {
            if (!onSlice(rois.get(i), slice)) continue;
            ip.setValue(i + 1);
            ip.fill(rois.get(i));
        }
    }

    /** True when the ROI belongs to {@code slice} (1-based): its position, else its z position, or none (every slice). */
    static boolean onSlice(Roi roi, int slice) {
        int position = roi.getPosition() > 0 ? roi.getPosition() : roi.getZPosition();
        return position <= 0 || position == slice;
    }

    /** Area, centroid and mean intensity of each label (calibrated with {@code cal}). */
    static List<Measurement> measure(
            int[] labels, float[] intensity, int width, int height, Calibration cal, int position) {
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        long[] n = new long[max + 1];
        double[] sx = new double[max + 1], sy = new double[max + 1], si = new double[max + 1];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x, l = labels[p];
                if (l <= 0) continue;
                n[l]++;
                sx[l] += x + 0.5;
                sy[l] += y + 0.5;
                si[l] += intensity[p];
            }
        }
        List<Measurement> out = new ArrayList<>();
        for (int l = 1; l <= max; l++) {
            if (n[l] == 0) continue;
            out.add(new Measurement(
                    position,
                    l,
                    n[l] * cal.pixelWidth * cal.pixelHeight,
                    cal.getX(sx[l] / n[l]),
                    cal.getY(sy[l] / n[l]),
                    si[l] / n[l]));
        }
        return out;
    }

    public static void saveCsv(List<Measurement> rows, Calibration cal, Path file) throws IOException {
        String u = unit(cal);
        StringBuilder sb = new StringBuilder(
                "position,label,area_" + u + "2,centroid_x_" + u + ",centroid_y_" + u + ",mean_intensity\n");
        for (Measurement m : rows) {
            sb.append(m.position()).append(',').append(m.label()).append(',');
            appendFixed4(sb, m.area()).append(',');
            appendFixed4(sb, m.centroidX()).append(',');
            appendFixed4(sb, m.centroidY()).append(',');
            appendFixed4(sb, m.meanIntensity()).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /**
     * The calibration's unit as a column name can carry it: "um" for µm and micron(s), "nm", "mm", "px" for an
     * uncalibrated image (ImageJ's "pixel", or a blank unit some writers leave), else the unit's letters.
     */
    public static String unit(Calibration cal) {
        String u = cal == null || !cal.scaled() ? "" : cal.getUnit().trim().toLowerCase(Locale.ROOT);
        return switch (u) {
            case "", "pixel", "pixels", "px" -> "px";
            case "µm", "μm", "um", "micron", "microns", "micrometer", "micrometre" -> "um";
            case "nanometer", "nanometre" -> "nm";
            case "millimeter", "millimetre" -> "mm";
            default -> u.replaceAll("[^a-z0-9]", "").isEmpty() ? "px" : u.replaceAll("[^a-z0-9]", "");
        };
    }

    /**
     * {@code v} as String.format's "%.4f" writes it (the shortest decimal that reads back as v, rounded half up to 4
     * places) without its format-string parsing, which made writing a CSV of a few hundred objects take a millisecond.
     */
    static StringBuilder appendFixed4(StringBuilder sb, double v) {
        if (!Double.isFinite(v)) return sb.append(String.format(Locale.ROOT, "%.4f", v)); // NaN, infinities
        BigDecimal rounded = new BigDecimal(Double.toString(v)).setScale(4, RoundingMode.HALF_UP);
        // a negative number that rounds to zero (and -0 itself) keeps its sign: "-0.0000"
        if (rounded.signum() == 0 && Double.doubleToRawLongBits(v) < 0) sb.append('-');
        return sb.append(rounded.toPlainString());
    }
}
