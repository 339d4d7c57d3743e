package org.cnnj.spark;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One image too large for one machine, as the blocks read it: an OME-Zarr image ({@link OmeZarr}), a folder of tiles
 * placed by a stitching configuration ({@link TileMosaic}), a folder of planes ({@link PlaneFolder}) or an HDF5 file
 * ({@link Hdf5Source}).
 */
interface BlockSource extends Closeable {
    long width();

    long height();

    int channels();

    /** Planes along z: 1 for a plane. */
    default long depth() {
        return 1;
    }

    /** The voxel size (z, y, x) the image states, or null. */
    default double[] voxel() {
        return null;
    }

    /** Channel {@code c} of rows [y0, y0 + h) and columns [x0, x0 + w), row-major. */
    float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException;

    /** A box of voxels: its corner (z, y, x) and its depth, height and width. */
    record Box(long z, long y, long x, int depth, int height, int width) {
        /** Rows [y, y + height) and columns [x, x + width) of the plane (z = 0). */
        static Box plane(long y, long x, int height, int width) {
            return new Box(0, y, x, 1, height, width);
        }
    }

    /** Channel {@code c} of {@code box}, z slowest. */
    default float[] readBox(int c, Box box) throws IOException {
        if (box.z() != 0 || box.depth() != 1)
            throw new IllegalArgumentException(describe() + " is a plane, not a volume");
        return readPlane(c, box.y(), box.x(), box.height(), box.width());
    }

    /** Channel {@code c}'s pixels for its percentiles: the whole plane up to 16 M pixels, else parts spread over it. */
    float[] sample(int c) throws IOException;

    /** What the label image names as its source. */
    String describe();

    /** Lets go of what the source holds open (an HDF5 file); nothing for the others. */
    @Override
    default void close() {}

    /**
     * A folder holding {@code TileConfiguration.registered.txt} or {@code TileConfiguration.txt} (or such a file
     * itself) is a mosaic of tiles; a folder of TIFF files without one, a volume of planes ({@link PlaneFolder}); an
     * HDF5 file, its image ({@link Hdf5Source}); anything else is read as OME-Zarr.
     */
    static BlockSource open(Path input) throws IOException {
        return open(input, null);
    }

    /** As {@link #open(Path)}; {@code dataset} (not null) names the image in an HDF5 file of several. */
    static BlockSource open(Path input, String dataset) throws IOException {
        if (!Files.exists(input)) throw new IOException(input + " does not exist; check the path");
        Path bdv = Hdf5Source.ofXml(input);
        if (bdv != null) {
            if (!Files.isRegularFile(bdv))
                throw new IOException(input + " is BigDataViewer's XML of " + bdv + ", which does not exist; give the"
                        + " HDF5 file, or keep it beside the XML");
            input = bdv;
        }
        if (dataset != null) {
            if (!Hdf5Source.holds(input))
                throw new IllegalArgumentException(
                        "--dataset names an image in an HDF5 file, and " + input + " is not one; leave --dataset out");
            return Hdf5Source.open(input, dataset);
        }
        Path configuration = TileMosaic.configuration(input);
        if (configuration != null) return TileMosaic.open(configuration);
        if (PlaneFolder.holdsPlanes(input)) return PlaneFolder.open(input);
        if (Hdf5Source.holds(input)) return Hdf5Source.open(input, null);
        return new Zarr(OmeZarr.open(input), input.toAbsolutePath().normalize().toString());
    }

    /** An OME-Zarr image: a plane, or a volume along its z axis; the channel axis's index c, a time axis at 0. */
    record Zarr(OmeZarr.Image image, String describe) implements BlockSource {
        public long width() {
            return image.width();
        }

        public long height() {
            return image.height();
        }

        public int channels() {
            int c = image.axis("c");
            return c < 0 ? 1 : (int) image.array().shape()[c];
        }

        public long depth() {
            int z = image.axis("z");
            return z < 0 ? 1 : image.array().shape()[z];
        }

        /** The full-resolution dataset's scale along z, y and x, where the image has a z axis and a scale. */
        public double[] voxel() {
            int z = image.axis("z"), n = image.axes().size();
            return z < 0 || image.scale() == null
                    ? null
                    : new double[] {image.scale()[z], image.scale()[n - 2], image.scale()[n - 1]};
        }

        public float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException {
            return readBox(c, Box.plane(y0, x0, h, w));
        }

        public float[] readBox(int c, Box box) throws IOException {
            int n = image.array().shape().length, z = image.axis("z");
            long[] start = new long[n];
            int[] size = new int[n];
            Arrays.fill(size, 1);
            if (image.axis("c") >= 0) start[image.axis("c")] = c;
            if (z >= 0) {
                start[z] = box.z();
                size[z] = box.depth();
            } else if (box.z() != 0 || box.depth() != 1)
                throw new IllegalArgumentException(describe() + " has no z axis");
            start[n - 2] = box.y();
            start[n - 1] = box.x();
            size[n - 2] = box.height();
            size[n - 1] = box.width();
            return image.array().read(start, size);
        }

        public float[] sample(int c) throws IOException {
            ZarrArray a = image.array();
            int n = a.chunks().length, z = image.axis("z");
            return spread(this, c, new int[] {z < 0 ? 1 : a.chunks()[z], a.chunks()[n - 2], a.chunks()[n - 1]});
        }
    }

    /**
     * Channel {@code c} of the whole image up to 16 M voxels, else of whole chunks ({@code chunk}: z, y, x) spread
     * evenly over it, about 16 M voxels.
     */
    static float[] spread(BlockSource s, int c, int[] chunk) throws IOException {
        long d = s.depth(), h = s.height(), w = s.width();
        if (d * h * w <= 16L << 20) return s.readBox(c, new Box(0, 0, 0, (int) d, (int) h, (int) w));
        int cd = chunk[0], ch = chunk[1], cw = chunk[2];
        long nz = (d + cd - 1) / cd, ny = (h + ch - 1) / ch, nx = (w + cw - 1) / cw, total = nz * ny * nx;
        long step = Math.max(1, total * cd * ch * cw / (16L << 20));
        List<float[]> parts = new ArrayList<>();
        for (long k = step / 2; k < total; k += step) {
            long kz = k / (ny * nx), ky = k / nx % ny, kx = k % nx;
            int rd = (int) Math.min(cd, d - kz * cd),
                    rh = (int) Math.min(ch, h - ky * ch),
                    rw = (int) Math.min(cw, w - kx * cw);
            parts.add(s.readBox(c, new Box(kz * cd, ky * ch, kx * cw, rd, rh, rw)));
        }
        return joined(parts);
    }

    static float[] joined(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
