package org.cnnj.seg;

import java.util.Arrays;
import org.cnnj.runtime.VolumeSize;

/**
 * One 3-D training pair (or, with labels null, a volume to segment). Shapes: image [C][D·H·W] raw values, labels
 * [D·H·W] object ids (0 = background). {@code voxel} is the voxel size (z, y, x) in {@code unit} (e.g. µm); a volume
 * without calibration has (1, 1, 1) and unit "pixel".
 */
public record LabeledVolume(String name, float[][] image, int[] labels, VolumeSize size, double[] voxel, String unit) {
    public LabeledVolume {
        int depth = size.depth(), height = size.height(), width = size.width();
        long voxels = size.voxels();
        if (voxels > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + " has " + voxels + " voxels (" + width + "x" + height + "x"
                    + depth + "), more than one array holds (2^31); crop it or segment it in blocks (./cnnj spark"
                    + " segment-blocks)");
        }
        for (int c = 0; c < image.length; c++) {
            if (image[c].length != voxels)
                throw new IllegalArgumentException(name + ": channel " + (c + 1) + " has " + image[c].length
                        + " values, not " + width + "x" + height + "x" + depth);
            for (float v : image[c])
                if (!Float.isFinite(v))
                    throw new IllegalArgumentException(name + " has a NaN or infinite voxel; replace them"
                            + " (Process › Math › Remove NaNs…) or leave the volume out");
        }
        if (labels != null && labels.length != voxels) {
            throw new IllegalArgumentException(name + ": the label volume has " + labels.length + " voxels but the"
                    + " image " + width + "x" + height + "x" + depth + "; image and labels must be the same size");
        }
        if (voxel == null) voxel = new double[] {1, 1, 1};
        if (voxel.length != 3 || Arrays.stream(voxel).anyMatch(v -> !(v > 0 && v < 1e6))) {
            throw new IllegalArgumentException(name + ": the voxel size " + Arrays.toString(voxel)
                    + " is not three positive sizes (z, y, x); set it in Image › Properties… or give --voxel z,y,x");
        }
        voxel = voxel.clone();
        unit = unit == null || unit.isBlank() ? "pixel" : unit;
    }

    public int voxels() {
        return (int) size.voxels();
    }

    public int depth() {
        return size.depth();
    }

    public int height() {
        return size.height();
    }

    public int width() {
        return size.width();
    }

    /** The same volume with {@code ids} as its labels. */
    public LabeledVolume withLabels(int[] ids) {
        return new LabeledVolume(name, image, ids, size, voxel, unit);
    }

    /** z spacing over xy spacing (the mean of y and x). */
    public double zRatio() {
        return voxel[0] / ((voxel[1] + voxel[2]) / 2);
    }

    /** The same volume with another voxel size. */
    public LabeledVolume withVoxel(double[] sizes, String unitName) {
        return new LabeledVolume(name, image, labels, size, sizes, unitName);
    }
}
