package org.cnnj.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Label images in HDF5 files as ilastik exports them (its default export format): the dataset {@code exported_data}
 * with vigra's {@code axistags} attribute naming the axes (y, x, c for an image; z, y, x, c for a stack) — Object
 * Classification's "Object Identities" (uint32 instance ids) — or a file with one integer array (h5py, any name). The
 * axes are put in (z, y, x) order; a channel or time axis must have one entry ({@link Hdf5Arrays}).
 */
public final class Hdf5Labels {
    private Hdf5Labels() {}

    /** Object ids, one int array per z plane (rows of {@code width}). */
    public record Volume(int width, int height, int[][] planes) {}

    public static Volume read(Path file) throws IOException {
        return Hdf5Arrays.read(
                file, "export it again from ilastik (Export Image Settings: hdf5) or save it with h5py", hdf -> {
                    Dataset d = dataset(hdf, file);
                    return volume(d, Hdf5Arrays.axes(d, file), file);
                });
    }

    /** ilastik's exported_data; else the file's only array of two or more axes. */
    private static Dataset dataset(HdfFile hdf, Path file) throws IOException {
        List<Dataset> all = Hdf5Arrays.datasets(hdf);
        Dataset exported = Hdf5Arrays.named(all, List.of("/" + Hdf5Arrays.EXPORTED));
        return exported != null
                ? exported
                : Hdf5Arrays.only(
                        all,
                        file,
                        "no " + Hdf5Arrays.EXPORTED + " (ilastik's export); keep the label image alone in its file");
    }

    private static Volume volume(Dataset d, String axes, Path file) throws IOException {
        int[] dims = d.getDimensions();
        for (char axis : new char[] {'c', 't'}) {
            int n = Hdf5Arrays.size(dims, axes, axis);
            if (n != 1) {
                throw new IOException(file + " has " + n + (axis == 'c' ? " channels" : " time points")
                        + " in " + d.getPath() + "; a label image has one: export ilastik's Object Identities (or"
                        + " Simple Segmentation), not Probabilities");
            }
        }
        int w = Hdf5Arrays.size(dims, axes, 'x'), h = Hdf5Arrays.size(dims, axes, 'y');
        int depth = Hdf5Arrays.size(dims, axes, 'z');
        if ((long) w * h > Integer.MAX_VALUE) throw new IOException(file + ": a plane of " + w + " × " + h + " pixels");
        if (d.getJavaType() == float.class || d.getJavaType() == double.class) {
            throw new IOException(
                    file + " holds floating-point values (probabilities?); label images hold whole numbers"
                            + " (object ids, 0 = background): export ilastik's Object Identities, or save integers");
        }
        long[] stride = Hdf5Arrays.strides(dims);
        long sz = Hdf5Arrays.stride(stride, axes, 'z'), sy = Hdf5Arrays.stride(stride, axes, 'y');
        long sx = Hdf5Arrays.stride(stride, axes, 'x');
        boolean unsigned = Hdf5Arrays.unsigned(d);
        Object data = d.getDataFlat();
        int[][] planes = new int[depth][w * h];
        for (int k = 0; k < depth; k++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                    planes[k][r * w + c] = id(data, (int) (k * sz + r * sy + c * sx), unsigned, file);
        return new Volume(w, h, planes);
    }

    /** One value as an object id; whole numbers only, up to 2^31 − 1. */
    private static int id(Object data, int i, boolean unsigned, Path file) throws IOException {
        Long v = Hdf5Arrays.integer(data, i, unsigned);
        if (v == null) {
            throw new IOException(
                    file + " holds " + data.getClass().getComponentType().getSimpleName()
                            + " values; label images hold whole numbers (object ids, 0 = background): export ilastik's Object"
                            + " Identities, or save the labels as integers");
        }
        if (v != (int) (long) v) throw new IOException(file + " holds the object id " + v + ", beyond 32 bits");
        return (int) (long) v;
    }
}
