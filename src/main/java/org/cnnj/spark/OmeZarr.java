package org.cnnj.spark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.io.AtomicFiles;

/**
 * OME-Zarr (NGFF 0.4) images: the full-resolution array of an image group (its {@code multiscales}, first dataset),
 * also inside a bioformats2raw folder (series 0), with its axes; and a label image written as an OME-Zarr group of its
 * own (one scale, uint32, {@code image-label} naming its source).
 */
final class OmeZarr {
    private OmeZarr() {}

    /** An image's full-resolution array and its axes' names (t, c, z, y, x as present; y, x for a bare array). */
    record Image(ZarrArray array, List<String> axes, double[] scale) {
        int axis(String name) {
            return axes.indexOf(name);
        }

        long width() {
            return array.shape()[array.shape().length - 1];
        }

        long height() {
            return array.shape()[array.shape().length - 2];
        }
    }

    static Image open(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(".zarray"))) {
            ZarrArray a = ZarrArray.open(path);
            for (int d = 0; d < a.shape().length - 2; d++) {
                if (a.shape()[d] > 1) { // no names to tell a z-stack from channels or time
                    throw new IOException(path + " is a bare Zarr array of shape " + Arrays.toString(a.shape())
                            + " with no axis names, so its first axes cannot be told apart (z? channels? time?);"
                            + " write it as OME-Zarr with named axes (ome-zarr-py's write_image(..., axes=\"zyx\"),"
                            + " or a .zattrs with multiscales axes z, y, x beside it)");
                }
            }
            List<String> axes = new ArrayList<>();
            for (int d = 0; d < a.shape().length; d++)
                axes.add(d == a.shape().length - 1 ? "x" : d == a.shape().length - 2 ? "y" : "dim" + d);
            return checked(new Image(a, axes, null), path);
        }
        Path attrs = path.resolve(".zattrs");
        if (!Files.isRegularFile(attrs))
            throw new IOException(path + " is not an OME-Zarr image (no .zattrs or .zarray); give the folder that"
                    + " bioformats2raw or ome-zarr-py wrote");
        JsonObject o = JsonParser.parseString(Files.readString(attrs)).getAsJsonObject();
        if (!o.has("multiscales") && o.has("bioformats2raw.layout")) return open(path.resolve("0"));
        if (!o.has("multiscales"))
            throw new IOException(attrs + " has no multiscales: not an OME-Zarr image (NGFF 0.4)");
        JsonObject ms = o.getAsJsonArray("multiscales").get(0).getAsJsonObject();
        JsonObject dataset = ms.getAsJsonArray("datasets").get(0).getAsJsonObject();
        ZarrArray a = ZarrArray.open(path.resolve(dataset.get("path").getAsString()));
        List<String> axes = new ArrayList<>();
        if (ms.has("axes"))
            for (JsonElement e : ms.getAsJsonArray("axes"))
                axes.add(e.isJsonObject() ? e.getAsJsonObject().get("name").getAsString() : e.getAsString());
        else for (String n : List.of("t", "c", "z", "y", "x").subList(5 - a.shape().length, 5)) axes.add(n); // NGFF 0.3
        double[] scale = null;
        if (dataset.has("coordinateTransformations"))
            for (JsonElement t : dataset.getAsJsonArray("coordinateTransformations"))
                if (t.getAsJsonObject().get("type").getAsString().equals("scale")) {
                    JsonArray s = t.getAsJsonObject().getAsJsonArray("scale");
                    scale = new double[s.size()];
                    for (int i = 0; i < scale.length; i++) scale[i] = s.get(i).getAsDouble();
                }
        return checked(new Image(a, axes, scale), path);
    }

    /**
     * What blocks read: y and x last, a z axis (a volume, for a 3-D model), a channel axis (of the model's size, checked
     * by the caller), and every other axis of size 1.
     */
    private static Image checked(Image im, Path path) throws IOException {
        long[] shape = im.array().shape();
        int n = shape.length;
        if (n < 2 || !im.axes().get(n - 1).equals("x") || !im.axes().get(n - 2).equals("y"))
            throw new IOException(path + ": axes " + im.axes() + " do not end in y, x; give an image whose axes are"
                    + " (t, c, z,) y, x as OME-Zarr orders them");
        for (int d = 0; d < n - 2; d++) {
            String axis = im.axes().get(d);
            if (shape[d] > 1 && !axis.equals("c") && !axis.equals("z"))
                throw new IOException(path + " has " + shape[d] + " positions along " + axis
                        + "; blocks are read from one plane or one volume (axes c, z, y, x): give one " + axis);
        }
        return im;
    }

    /**
     * An image group at {@code dir} holding {@code pixels} of {@code shape} (y, x or z, y, x; C order), rounded into
     * {@code dtype} ("<u2"), chunk by chunk.
     */
    static ZarrArray write(Path dir, float[] pixels, long[] shape, int[] chunks, double zRatio, String dtype)
            throws IOException {
        ZarrArray a = create(dir, shape, chunks, zRatio, dtype, Map.of());
        long[] s = shape.length == 3 ? shape : new long[] {1, shape[0], shape[1]};
        int[] c = chunks.length == 3 ? chunks : new int[] {1, chunks[0], chunks[1]};
        for (long cz = 0; cz * c[0] < s[0]; cz++)
            for (long cy = 0; cy * c[1] < s[1]; cy++)
                for (long cx = 0; cx * c[2] < s[2]; cx++) {
                    int[] values = new int[c[0] * c[1] * c[2]];
                    for (int z = 0; z < c[0] && cz * c[0] + z < s[0]; z++)
                        for (int y = 0; y < c[1] && cy * c[1] + y < s[1]; y++)
                            for (int x = 0; x < c[2] && cx * c[2] + x < s[2]; x++)
                                values[(z * c[1] + y) * c[2] + x] = Math.round(pixels[
                                        (int) (((cz * c[0] + z) * s[1] + cy * c[1] + y) * s[2] + cx * c[2] + x)]);
                    a.writeChunk(shape.length == 3 ? new long[] {cz, cy, cx} : new long[] {cy, cx}, values);
                }
        return a;
    }

    /**
     * An empty label image group at {@code dir}: array "0", uint32, of {@code shape} (y, x or z, y, x) in chunks of
     * {@code chunks}, in pixels (z in units of the xy spacing: {@code zRatio}).
     */
    static ZarrArray createLabels(Path dir, long[] shape, int[] chunks, double zRatio, String source)
            throws IOException {
        return create(
                dir,
                shape,
                chunks,
                zRatio,
                "<u4",
                Map.of("image-label", Map.of("version", "0.4", "source", Map.of("image", source))));
    }

    /**
     * An empty image group at {@code dir} (NGFF 0.4, one scale, array "0" of {@code dtype}, axes y, x or z, y, x), plus
     * {@code attrs}.
     */
    static ZarrArray create(
            Path dir, long[] shape, int[] chunks, double zRatio, String dtype, Map<String, Object> attrs)
            throws IOException {
        AtomicFiles.createFolder(dir);
        byte[] group = "{\n  \"zarr_format\": 2\n}\n".getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(".zgroup"), out -> out.write(group));
        List<Map<String, String>> axes = new ArrayList<>();
        List<Double> scale = new ArrayList<>();
        if (shape.length == 3) {
            axes.add(Map.of("name", "z", "type", "space"));
            scale.add(zRatio);
        }
        axes.add(Map.of("name", "y", "type", "space"));
        axes.add(Map.of("name", "x", "type", "space"));
        scale.add(1.0);
        scale.add(1.0);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put(
                "multiscales",
                List.of(Map.of(
                        "version",
                        "0.4",
                        "name",
                        dir.getFileName().toString(),
                        "axes",
                        axes,
                        "datasets",
                        List.of(Map.of(
                                "path",
                                "0",
                                "coordinateTransformations",
                                List.of(Map.of("type", "scale", "scale", scale)))))));
        all.putAll(attrs);
        byte[] json = new GsonBuilder().setPrettyPrinting().create().toJson(all).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(".zattrs"), out -> out.write(json));
        return ZarrArray.create(dir.resolve("0"), shape, chunks, dtype);
    }
}
