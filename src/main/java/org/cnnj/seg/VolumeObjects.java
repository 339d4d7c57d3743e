package org.cnnj.seg;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.cnnj.runtime.VolumeSize;

/** Measurements of the objects of a 3-D label image, in the volume's calibrated units. */
public final class VolumeObjects {
    /**
     * One object: id, voxels, volume (voxel count × voxel volume), centroid (z, y, x) and bounding box (first and last
     * slice, row, column, in voxels, inclusive), mean intensity of channel 1, and the diameter of the sphere of the same
     * volume (calibrated).
     */
    public record Row(
            int id,
            long voxels,
            double volume,
            double centroidZ,
            double centroidY,
            double centroidX,
            int z0,
            int y0,
            int x0,
            int z1,
            int y1,
            int x1,
            double meanIntensity,
            double diameter) {}

    private VolumeObjects() {}

    /**
     * Diameter (xy voxels) of the sphere with each object's volume, z voxels counted {@code zRatio} deep, for the labels
     * present in {@code labels} (absent ids skipped), sorted.
     */
    public static double[] diameters(int[] labels, double zRatio) {
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        long[] count = new long[max + 1];
        for (int l : labels) if (l > 0) count[l]++;
        return LongStream.of(count)
                .skip(1)
                .filter(n -> n > 0)
                .mapToDouble(n -> sphereDiameter(n * zRatio))
                .sorted()
                .toArray();
    }

    /** Diameter of the sphere of this volume. */
    static double sphereDiameter(double volume) {
        return 2 * Math.cbrt(3 * volume / (4 * Math.PI));
    }

    /** One row per label 1..max present in {@code labels} [D·H·W]; {@code image} (may be null) gives the intensity. */
    public static List<Row> measure(int[] labels, float[] image, VolumeSize size, double[] voxel) {
        int depth = size.depth(), height = size.height(), width = size.width();
        int max = 0;
        for (int l : labels) max = Math.max(max, l);
        long[] count = new long[max + 1];
        double[] sz = new double[max + 1], sy = new double[max + 1], sx = new double[max + 1], si = new double[max + 1];
        int[][] box = new int[max + 1][];
        int p = 0;
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++, p++) {
                    int l = labels[p];
                    if (l == 0) continue;
                    count[l]++;
                    sz[l] += z;
                    sy[l] += y;
                    sx[l] += x;
                    if (image != null) si[l] += image[p];
                    int[] b = box[l];
                    if (b == null) box[l] = new int[] {z, y, x, z, y, x};
                    else {
                        b[0] = Math.min(b[0], z);
                        b[1] = Math.min(b[1], y);
                        b[2] = Math.min(b[2], x);
                        b[3] = Math.max(b[3], z);
                        b[4] = Math.max(b[4], y);
                        b[5] = Math.max(b[5], x);
                    }
                }
        double unitVolume = voxel[0] * voxel[1] * voxel[2];
        List<Row> rows = new ArrayList<>();
        for (int l = 1; l <= max; l++) {
            if (count[l] == 0) continue;
            long n = count[l];
            double volume = n * unitVolume;
            int[] b = box[l];
            rows.add(new Row(
                    l,
                    n,
                    volume,
                    sz[l] / n * voxel[0],
                    sy[l] / n * voxel[1],
                    sx[l] / n * voxel[2],
                    b[0],
                    b[1],
                    b[2],
                    b[3],
                    b[4],
                    b[5],
                    image == null ? 0 : si[l] / n,
                    sphereDiameter(volume)));
        }
        return rows;
    }
}
