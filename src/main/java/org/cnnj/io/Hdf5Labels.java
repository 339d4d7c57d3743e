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
 * Label images in HDF5 files as ilastik exports them (its default export format): the dataset {@code exported_data}
 * with vigra's {@code axistags} attribute naming the axes (y, x, c for an image; z, y, x, c for a stack) — Object
 * Classification's "Object Identities" (uint32 instance ids) — or a file with one integer array (h5py, any name). Read
 * with jhdf (pure Java: gzip, LZF, shuffle). The axes are put in (z, y, x) order; a channel or time axis must have
 * one entry.
 */
public final class Hdf5Labels {
    /** ilastik's export dataset. */
    private static final String EXPORTED = "exported_data";

    private Hdf5Labels() {}

    /** Object ids, one int array per z plane (rows of {@code width}). */
    public record Volume(int width, int height, int[][] planes) {}

    public static Volume read(Path file) throws IOException {
        try (HdfFile hdf = new HdfFile(file)) {
            Dataset d = dataset(hdf, file);
            return volume(d, axes(d, file), file);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) { // LinkageError: a filter whose library is not installed
            throw new IOException(file + " is not a readable HDF5 file (" + e
                    + "); export it again from ilastik (Export Image Settings: hdf5) or save it with h5py");
        }
    }

    /** ilastik's exported_data; else the file's only array of two or more axes. */
    private static Dataset dataset(HdfFile hdf, Path file) throws IOException {
        List<Dataset> all = new ArrayList<>();
        collect(hdf, all);
        for (Dataset d : all) if (d.getPath().equals("/" + EXPORTED)) return d;
        List<Dataset> arrays =
                all.stream().filter(d -> d.getDimensions().length >= 2).toList();
        if (arrays.size() == 1) return arrays.get(0);
        if (arrays.isEmpty()) throw new IOException(file + " holds no image array (datasets: " + names(all) + ")");
        throw new IOException(file + " holds several arrays (" + names(arrays) + ") and no " + EXPORTED
                + " (ilastik's export); keep the label image alone in its file");
    }

    private static void collect(Group group, List<Dataset> out) {
        for (Node n : group.getChildren().values()) {
            if (n instanceof Dataset d) out.add(d);
            else if (n instanceof Group g) collect(g, out);
        }
    }

    private static String names(List<Dataset> datasets) {
        return String.join(", ", datasets.stream().map(Dataset::getPath).toList());
    }

    /**
     * The axis of each dimension (t, z, y, x or c): from ilastik's axistags; without them (y, x), (z, y, x), or a last
     * axis of one entry as a channel.
     */
    static String axes(Dataset d, Path file) throws IOException {
        int[] dims = d.getDimensions();
        Attribute tags = d.getAttributes().get("axistags");
        if (tags != null && tags.getData() instanceof String json) {
            StringBuilder keys = new StringBuilder();
            try {
                for (JsonElement axis :
                        JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("axes"))
                    keys.append(((JsonObject) axis).get("key").getAsString());
            } catch (RuntimeException e) {
                throw new IOException(file + ": its axistags are not ilastik's JSON (" + e.getMessage() + ")");
            }
            if (keys.length() == dims.length && keys.toString().matches("[tzyxc]+")) return keys.toString();
            throw new IOException(file + ": its axistags name the axes '" + keys + "' for an array of shape "
                    + Arrays.toString(dims));
        }
        return switch (dims.length) {
            case 2 -> "yx";
            case 3 -> dims[2] == 1 ? "yxc" : "zyx";
            case 4 -> "zyxc";
            default ->
                throw new IOException(file + " holds an array of shape " + Arrays.toString(dims)
                        + " without axistags; labels are (y, x) or (z, y, x)");
        };
    }

    private static Volume volume(Dataset d, String axes, Path file) throws IOException {
        int[] dims = d.getDimensions();
        long[] stride = new long[dims.length];
        for (int i = dims.length - 1, s = 1; i >= 0; s *= dims[i], i--) stride[i] = s; // C order
        for (int i = 0; i < dims.length; i++) {
            char axis = axes.charAt(i);
            if ((axis == 'c' || axis == 't') && dims[i] != 1) {
                throw new IOException(file + " has " + dims[i] + (axis == 'c' ? " channels" : " time points")
                        + " in " + d.getPath() + "; a label image has one: export ilastik's Object Identities (or"
                        + " Simple Segmentation), not Probabilities");
            }
            if (axes.indexOf(axis) != i) throw new IOException(file + ": its axistags repeat the axis " + axis);
        }
        if (axes.indexOf('y') < 0 || axes.indexOf('x') < 0)
            throw new IOException(file + ": its axes '" + axes + "' have no y and x");
        int y = axes.indexOf('y'), x = axes.indexOf('x'), z = axes.indexOf('z');
        int w = dims[x], h = dims[y], depth = z < 0 ? 1 : dims[z];
        if ((long) w * h > Integer.MAX_VALUE) throw new IOException(file + ": a plane of " + w + " × " + h + " pixels");
        if (d.getJavaType() == float.class || d.getJavaType() == double.class) {
            throw new IOException(
                    file + " holds floating-point values (probabilities?); label images hold whole numbers"
                            + " (object ids, 0 = background): export ilastik's Object Identities, or save integers");
        }
        Object data = d.getDataFlat();
        boolean unsigned = d.getDataType() instanceof FixedPoint f && !f.isSigned();
        int[][] planes = new int[depth][w * h];
        for (int k = 0; k < depth; k++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++) {
                    long at = (z < 0 ? 0 : k * stride[z]) + r * stride[y] + c * stride[x];
                    planes[k][r * w + c] = id(data, (int) at, unsigned, file);
                }
        return new Volume(w, h, planes);
    }

    /**
     * One value as an object id; whole numbers only, up to 2^31 − 1. Unsigned values jhdf returns in a type of their
     * own width (it widens some) are read as unsigned.
     */
    private static int id(Object data, int i, boolean unsigned, Path file) throws IOException {
        long v;
        if (data instanceof byte[] a) v = unsigned ? a[i] & 0xff : a[i];
        else if (data instanceof short[] a) v = unsigned ? a[i] & 0xffff : a[i];
        else if (data instanceof int[] a) v = unsigned ? a[i] & 0xffffffffL : a[i];
        else if (data instanceof long[] a) v = unsigned && a[i] < 0 ? Long.MAX_VALUE : a[i];
        else if (data instanceof BigInteger[] a) v = a[i].bitLength() < 63 ? a[i].longValue() : Long.MAX_VALUE;
        else {
            throw new IOException(
                    file + " holds " + data.getClass().getComponentType().getSimpleName()
                            + " values; label images hold whole numbers (object ids, 0 = background): export ilastik's Object"
                            + " Identities, or save the labels as integers");
        }
        if (v != (int) v) throw new IOException(file + " holds the object id " + v + ", beyond 32 bits");
        return (int) v;
    }
}
