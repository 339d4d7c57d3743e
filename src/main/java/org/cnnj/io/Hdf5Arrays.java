package org.cnnj.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.FixedPoint;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What reading images and label images from HDF5 files shares (jhdf: pure Java, gzip, LZF, shuffle): finding the
 * array, naming its axes (t, z, y, x, c) from ilastik's vigra {@code axistags} or by rank as ilastik does, and indexing
 * the values read.
 */
final class Hdf5Arrays {
    /** ilastik's export dataset. */
    static final String EXPORTED = "exported_data";

    private Hdf5Arrays() {}

    /** Every dataset in the file, depth first. */
    static List<Dataset> datasets(HdfFile hdf) {
        List<Dataset> all = new ArrayList<>();
        collect(hdf, all);
        return all;
    }

    private static void collect(Group group, List<Dataset> out) {
        for (Node n : group.getChildren().values()) {
            if (n instanceof Dataset d) out.add(d);
            else if (n instanceof Group g) collect(g, out);
        }
    }

    /** The datasets of two or more axes: those that can be images. */
    private static List<Dataset> arrays(List<Dataset> all) {
        return all.stream().filter(d -> d.getDimensions().length >= 2).toList();
    }

    static String names(List<Dataset> datasets) {
        return String.join(", ", datasets.stream().map(Dataset::getPath).toList());
    }

    /**
     * The axis of each dimension (t, z, y, x or c): from ilastik's axistags; without them as ilastik and its Fiji plugin
     * read a bare array — (y, x), (z, y, x) or (y, x, c) when the last axis has at most 4 entries (a colour image saved
     * with h5py), (z, y, x, c), (t, z, y, x, c).
     */
    static String axes(Dataset d, Path file) throws IOException {
        int[] dims = d.getDimensions();
        Attribute tags = d.getAttributes().get("axistags");
        String keys = tags != null && tags.getData() instanceof String json ? axistags(json, file) : null;
        if (keys == null) {
            keys = switch (dims.length) {
                case 2 -> "yx";
                case 3 -> dims[2] <= 4 ? "yxc" : "zyx";
                case 4 -> "zyxc";
                case 5 -> "tzyxc";
                default ->
                    throw new IOException(file + ": " + d.getPath() + " has the shape " + Arrays.toString(dims)
                            + " and no axistags; an image has 2 to 5 axes (t, z, y, x, c)");
            };
        }
        if (keys.length() != dims.length || !keys.matches("[tzyxc]+"))
            throw new IOException(file + ": its axistags name the axes '" + keys + "' for an array of shape "
                    + Arrays.toString(dims));
        for (int i = 0; i < keys.length(); i++)
            if (keys.indexOf(keys.charAt(i)) != i)
                throw new IOException(file + ": its axistags repeat the axis " + keys.charAt(i));
        if (keys.indexOf('y') < 0 || keys.indexOf('x') < 0)
            throw new IOException(file + ": its axes '" + keys + "' have no y and x");
        return keys;
    }

    private static String axistags(String json, Path file) throws IOException {
        StringBuilder keys = new StringBuilder();
        try {
            for (JsonElement axis :
                    JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("axes"))
                keys.append(((JsonObject) axis).get("key").getAsString());
        } catch (RuntimeException e) {
            throw new IOException(file + ": its axistags are not ilastik's JSON (" + e.getMessage() + ")");
        }
        return keys.toString();
    }

    /** The number of entries along {@code axis} (1 where the array has no such axis). */
    static int size(int[] dims, String axes, char axis) {
        int i = axes.indexOf(axis);
        return i < 0 ? 1 : dims[i];
    }

    /** Whether the dataset holds unsigned integers. */
    static boolean unsigned(Dataset d) {
        return d.getDataType() instanceof FixedPoint f && !f.isSigned();
    }

    /**
     * C-order strides of the array: the value at (i0, i1, …) of {@link Dataset#getDataFlat()} is at Σ ik · stride[k].
     * (The whole array is read at once: jhdf 0.10.0's sliced read, {@code getData(offset, shape)}, returned zeros where
     * a slice crossed a chunk border.)
     */
    static long[] strides(int[] dims) {
        long[] stride = new long[dims.length];
        for (int i = dims.length - 1, s = 1; i >= 0; s *= dims[i], i--) stride[i] = s;
        return stride;
    }

    /** The stride along {@code axis}; 0 where the array has no such axis. */
    static long stride(long[] strides, String axes, char axis) {
        int i = axes.indexOf(axis);
        return i < 0 ? 0 : strides[i];
    }

    /**
     * One value as a long: signed or unsigned as the dataset says (jhdf returns some unsigned types in a type of their own
     * width); null for floating-point or other values.
     */
    static Long integer(Object data, int i, boolean unsigned) {
        if (data instanceof byte[] a) return (long) (unsigned ? a[i] & 0xff : a[i]);
        if (data instanceof short[] a) return (long) (unsigned ? a[i] & 0xffff : a[i]);
        if (data instanceof int[] a) return unsigned ? a[i] & 0xffffffffL : a[i];
        if (data instanceof long[] a) return unsigned && a[i] < 0 ? Long.MAX_VALUE : a[i];
        if (data instanceof BigInteger[] a) return a[i].bitLength() < 63 ? a[i].longValue() : Long.MAX_VALUE;
        return null;
    }

    /** One value as a float (integers and floating point). */
    static float real(Object data, int i, boolean unsigned) {
        if (data instanceof float[] a) return a[i];
        if (data instanceof double[] a) return (float) a[i];
        Long v = integer(data, i, unsigned);
        if (v == null)
            throw new IllegalArgumentException(
                    data.getClass().getComponentType().getSimpleName());
        return v;
    }

    /** What is read from an open HDF5 file. */
    interface Reader<T> {
        T read(HdfFile hdf) throws IOException;
    }

    /**
     * Opens {@code file} and reads it with {@code reader}; whatever jhdf throws on a damaged or odd file becomes an
     * IOException naming the file and {@code fix}.
     */
    static <T> T read(Path file, String fix, Reader<T> reader) throws IOException {
        try (HdfFile hdf = new HdfFile(file)) {
            return reader.read(hdf);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) { // LinkageError: a filter whose library is not installed
            throw unreadable(file, e, fix);
        }
    }

    /** The message for a file jhdf cannot read: the file, what jhdf said, and {@code fix}. */
    static IOException unreadable(Path file, Throwable e, String fix) {
        return new IOException(file + " is not a readable HDF5 file (" + e + "); " + fix);
    }

    /** The first of {@code names} (absolute dataset paths) the file holds; null when none. */
    static Dataset named(List<Dataset> all, List<String> names) {
        for (String name : names) for (Dataset d : all) if (d.getPath().equals(name)) return d;
        return null;
    }

    /** The file's only array of two or more axes; {@code several}: what to do when it holds more than one. */
    static Dataset only(List<Dataset> all, Path file, String several) throws IOException {
        List<Dataset> arrays = arrays(all);
        if (arrays.size() == 1) return arrays.get(0);
        if (arrays.isEmpty()) throw new IOException(file + " holds no image array (datasets: " + names(all) + ")");
        throw new IOException(file + " holds several arrays (" + names(arrays) + ") and " + several);
    }
}
