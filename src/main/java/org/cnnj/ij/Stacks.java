package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.util.Arrays;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.seg.LabeledVolume;

/**
 * Z-stacks as CNN-J's 3-D core sees them ({@link LabeledVolume}): channels [C][D·H·W] of one time point, the voxel size
 * from the calibration (TIFF/OME metadata as ImageJ reads it), and label stacks back as 16-bit (or 32-bit beyond 65535
 * objects) images with the same calibration and the label LUT.
 */
public final class Stacks {
    private Stacks() {}

    /** Whether {@code imp} is a z-stack (more than one slice), the kind a 3-D model segments. */
    public static boolean isVolume(ImagePlus imp) {
        return imp.getNSlices() > 1;
    }

    /**
     * The volume at time point {@code frame} (0-based); {@code voxel} (z, y, x) replaces the calibration when given. A
     * stack whose slices ImageJ holds as frames (one slice, several frames and no time interval) is refused with the
     * fix: 3-D models need slices.
     */
    public static LabeledVolume volume(ImagePlus imp, int frame, double[] voxel) {
        String name = imp.getTitle();
        if (imp.getNSlices() == 1 && imp.getNFrames() > 1) {
            throw new IllegalArgumentException(name + " has " + imp.getNFrames() + " time points and 1 z slice; a 3-D"
                    + " model needs slices (Z). If the frames are z slices, swap them: Image › Properties… (Slices="
                    + imp.getNFrames() + ", Frames=1) or Image › Hyperstacks › Re-order Hyperstack");
        }
        if (imp.getNSlices() == 1)
            throw new IllegalArgumentException(name + " is one plane (1 z slice); a 3-D model segments z-stacks: open"
                    + " the stack, or use a 2-D model (e.g. nuclei (built-in))");
        if (imp.getBitDepth() == 24)
            throw new IllegalArgumentException(name + " is an RGB stack; 3-D models take grey channels: Image › Type ›"
                    + " 16-bit, or split the colours (Image › Color › Split Channels)");
        int c = imp.getNChannels(), d = imp.getNSlices(), plane = imp.getWidth() * imp.getHeight();
        long voxels = (long) d * plane;
        if (voxels > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(name + " has " + voxels + " voxels per channel, more than one array"
                    + " holds; crop it, or segment it in blocks on Spark (./cnnj spark segment-blocks)");
        float[][] channels = new float[c][(int) voxels];
        ImageStack stack = imp.getStack();
        for (int ch = 0; ch < c; ch++)
            for (int z = 0; z < d; z++) {
                ImageProcessor ip = stack.getProcessor(imp.getStackIndex(ch + 1, z + 1, frame + 1));
                for (int i = 0; i < plane; i++) channels[ch][z * plane + i] = ip.getf(i);
            }
        Calibration cal = imp.getCalibration();
        double[] size = voxel != null ? voxel : new double[] {cal.pixelDepth, cal.pixelHeight, cal.pixelWidth};
        String unit = voxel != null ? "µm" : cal.getUnit();
        if (unit == null || unit.isBlank() || "pixel".equals(unit) || "pixels".equals(unit)) unit = "pixel";
        return new LabeledVolume(name, channels, null, new VolumeSize(d, imp.getHeight(), imp.getWidth()), size, unit);
    }

    /** Labels [D·H·W] of a label stack (its first channel and time point); 32-bit values are taken as whole numbers. */
    public static int[] labels(ImagePlus imp) {
        int d = imp.getNSlices(), plane = imp.getWidth() * imp.getHeight();
        int[] labels = new int[d * plane];
        ImageStack stack = imp.getStack();
        for (int z = 0; z < d; z++) {
            ImageProcessor ip = stack.getProcessor(imp.getStackIndex(1, z + 1, 1));
            for (int i = 0; i < plane; i++) {
                float v = ip.getf(i);
                if (v < 0 || v != Math.rint(v))
                    throw new IllegalArgumentException(imp.getTitle() + ": label value " + v + " at slice " + (z + 1)
                            + " is not an object id (0 = background, 1, 2, …); give a label stack, not an image");
                labels[z * plane + i] = (int) v;
            }
        }
        return labels;
    }

    /** A label stack for {@code labels} of {@code v}'s size and calibration: 16-bit up to 65535 objects, else 32-bit. */
    public static ImagePlus labelStack(String title, int[] labels, LabeledVolume v) {
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        int w = v.width(), h = v.height(), plane = w * h;
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < v.depth(); z++) // 16-bit planes, 32-bit beyond 65,535 objects, as 2-D label images
        stack.addSlice(SegmentFiles.labelProcessor(
                Arrays.copyOfRange(labels, z * plane, (z + 1) * plane), w, h, max, v.name()));
        ImagePlus out = calibrated(new ImagePlus(title, stack), v);
        out.getProcessor().setLut(ResultsDisplay.labelLut());
        out.setDisplayRange(0, Math.min(255, Math.max(1, max)));
        return out;
    }

    /** An image stack of {@code v}'s first channel as 16-bit (values clamped to 0..65535), calibrated. */
    public static ImagePlus imageStack(String title, LabeledVolume v) {
        int w = v.width(), h = v.height(), plane = w * h;
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < v.depth(); z++) {
            short[] px = new short[plane];
            for (int i = 0; i < plane; i++)
                px[i] = (short) Math.max(0, Math.min(65535, Math.round(v.image()[0][z * plane + i])));
            stack.addSlice(new ShortProcessor(w, h, px, null));
        }
        ImagePlus out = calibrated(new ImagePlus(title, stack), v);
        return out;
    }

    /** {@code imp} as a z-stack with {@code v}'s voxel size and unit. */
    private static ImagePlus calibrated(ImagePlus imp, LabeledVolume v) {
        imp.setDimensions(1, v.depth(), 1);
        Calibration cal = imp.getCalibration();
        cal.pixelDepth = v.voxel()[0];
        cal.pixelHeight = v.voxel()[1];
        cal.pixelWidth = v.voxel()[2];
        cal.setUnit(v.unit());
        return imp;
    }
}
