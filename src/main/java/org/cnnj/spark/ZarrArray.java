package org.cnnj.spark;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.ZipException;
import org.cnnj.io.AtomicFiles;

/**
 * One Zarr v2 array on a file system (its {@code .zarray} and one file per chunk), read as float regions and written
 * chunk by chunk — the format of OME-Zarr (NGFF 0.4). Reads what common writers write: numbers of 1–8 bytes in either
 * byte order, C order, "." or "/" chunk keys, no compressor, zlib, gzip or Blosc ({@link Blosc}); a missing chunk is
 * the fill value, as the format says. Writes zlib chunks, each to a temporary name and renamed. No library is used:
 * the Zarr libraries on Maven Central need artifacts that are not there.
 */
record ZarrArray(
        Path dir, long[] shape, int[] chunks, String dtype, JsonObject compressor, double fill, String separator) {
    static ZarrArray open(Path dir) throws IOException {
        Path meta = dir.resolve(".zarray");
        if (!Files.isRegularFile(meta))
            throw new IOException(dir + " is not a Zarr v2 array (no .zarray); give the image's array or an OME-Zarr"
                    + " image folder");
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(meta)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(meta + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!o.has("zarr_format") || o.get("zarr_format").getAsInt() != 2)
            throw new IOException(
                    meta + ": only Zarr format 2 is read (OME-Zarr / NGFF 0.4); this is " + o.get("zarr_format"));
        if (o.has("order") && !o.get("order").getAsString().equals("C"))
            throw new IOException(meta + ": Fortran-order chunks are not read; rewrite the array in C order");
        if (o.has("filters")
                && !o.get("filters").isJsonNull()
                && o.getAsJsonArray("filters").size() > 0)
            throw new IOException(
                    meta + ": filters " + o.get("filters") + " are not supported; rewrite without filters");
        long[] shape = longs(o.getAsJsonArray("shape"));
        int[] chunks = Arrays.stream(longs(o.getAsJsonArray("chunks")))
                .mapToInt(v -> (int) v)
                .toArray();
        String dtype = o.get("dtype").getAsString();
        bytesOf(dtype, meta.toString());
        JsonElement c = o.get("compressor");
        JsonElement f = o.get("fill_value");
        double fill =
                f == null || f.isJsonNull() ? 0 : f.getAsJsonPrimitive().isNumber() ? f.getAsDouble() : Double.NaN;
        String sep = o.has("dimension_separator") ? o.get("dimension_separator").getAsString() : ".";
        return new ZarrArray(
                dir, shape, chunks, dtype, c == null || c.isJsonNull() ? null : c.getAsJsonObject(), fill, sep);
    }

    /** A new array of {@code dtype} ("<u4"), zlib chunks, fill 0; an existing one at {@code dir} is replaced. */
    static ZarrArray create(Path dir, long[] shape, int[] chunks, String dtype) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("zarr_format", 2);
        meta.put("shape", shape);
        meta.put("chunks", chunks);
        meta.put("dtype", dtype);
        meta.put("compressor", Map.of("id", "zlib", "level", 5));
        meta.put("fill_value", 0);
        meta.put("order", "C");
        meta.put("filters", null);
        meta.put("dimension_separator", "/");
        byte[] json = new Gson()
                .newBuilder()
                .serializeNulls()
                .setPrettyPrinting()
                .create()
                .toJson(meta)
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(".zarray"), out -> out.write(json));
        return open(dir);
    }

    /**
     * The region [y0, y0 + h) × [x0, x0 + w) of the last two axes, at index {@code lead} of the others, as floats; what
     * lies outside the array is 0.
     */
    float[] readPlane(long[] lead, long y0, long x0, int h, int w) throws IOException {
        int n = shape.length;
        long[] start = Arrays.copyOf(lead, n);
        int[] size = new int[n];
        Arrays.fill(size, 1);
        start[n - 2] = y0;
        start[n - 1] = x0;
        size[n - 2] = h;
        size[n - 1] = w;
        return read(start, size);
    }

    /**
     * The region starting at {@code start} of {@code size} along every axis, as floats in C order; what lies outside
     * the array is 0. Each chunk the region meets is read once, its rows copied along the last axis.
     */
    float[] read(long[] start, int[] size) throws IOException {
        int n = shape.length;
        long total = 1;
        for (int s : size) total *= s;
        if (total > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(
                    "a region of " + Arrays.toString(size) + " is too large to read at once");
        float[] out = new float[(int) total];
        long[] first = new long[n], last = new long[n];
        int chunkLen = 1;
        for (int d = 0; d < n; d++) {
            long lo = Math.max(0, start[d]), hi = Math.min(shape[d], start[d] + size[d]);
            if (hi <= lo) return out;
            first[d] = lo / chunks[d];
            last[d] = (hi - 1) / chunks[d];
            chunkLen *= chunks[d];
        }
        long[] idx = first.clone();
        while (true) {
            copyRows(chunk(idx, chunkLen), idx, start, size, out);
            int d = n - 1;
            for (; d >= 0 && idx[d] == last[d]; d--) idx[d] = first[d];
            if (d < 0) return out;
            idx[d]++;
        }
    }

    /** Copies the rows (along the last axis) where chunk {@code idx} meets the region into {@code out}. */
    private void copyRows(float[] chunk, long[] idx, long[] start, int[] size, float[] out) {
        int n = shape.length;
        long[] lo = new long[n], hi = new long[n];
        for (int d = 0; d < n; d++) {
            long c0 = idx[d] * chunks[d];
            lo[d] = Math.max(Math.max(start[d], c0), 0);
            hi[d] = Math.min(Math.min(start[d] + size[d], c0 + chunks[d]), shape[d]);
        }
        long[] at = lo.clone(); // the voxel (all axes but the last) whose row is copied
        while (true) {
            int from = 0, to = 0;
            for (int d = 0; d < n; d++) {
                from = from * chunks[d] + (int) (at[d] - idx[d] * chunks[d]);
                to = to * size[d] + (int) (at[d] - start[d]);
            }
            System.arraycopy(chunk, from, out, to, (int) (hi[n - 1] - lo[n - 1]));
            int d = n - 2;
            for (; d >= 0 && at[d] == hi[d] - 1; d--) at[d] = lo[d];
            if (d < 0) return;
            at[d]++;
        }
    }

    /** Writes the (whole, padded) chunk at {@code index} of an unsigned little-endian array (<u1, <u2 or <u4). */
    void writeChunk(long[] index, int[] values) throws IOException {
        int size = dtype.charAt(2) - '0';
        if (!dtype.matches("<u[124]")) throw new IOException("writes only <u1, <u2 or <u4 arrays, not " + dtype);
        ByteBuffer b = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            if (size == 1) b.put((byte) v);
            else if (size == 2) b.putShort((short) v);
            else b.putInt(v);
        }
        Deflater d = new Deflater(5);
        d.setInput(b.array());
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        Path file = chunkFile(index);
        AtomicFiles.write(file, o -> out.writeTo(o));
    }

    Path chunkFile(long[] index) {
        StringBuilder key = new StringBuilder();
        for (int d = 0; d < index.length; d++)
            key.append(d > 0 ? separator : "").append(index[d]);
        return dir.resolve(key.toString()); // with "/" the key is a path of folders
    }

    private float[] chunk(long[] index, int len) throws IOException {
        Path file = chunkFile(index);
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            float[] f = new float[len];
            Arrays.fill(f, (float) (Double.isNaN(fill) ? 0 : fill));
            return f;
        }
        byte[] bytes = decompress(raw, file.toString());
        int size = bytesOf(dtype, file.toString());
        if (bytes.length != (long) len * size)
            throw new IOException("chunk " + file + " holds " + bytes.length + " bytes, " + (long) len * size
                    + " expected (" + Arrays.toString(chunks) + " × " + dtype
                    + "); it is incomplete or corrupt: write it again");
        ByteBuffer b =
                ByteBuffer.wrap(bytes).order(dtype.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[len];
        char kind = dtype.charAt(1);
        for (int i = 0; i < len; i++)
            out[i] = switch (kind) {
                case 'u' ->
                    switch (size) {
                        case 1 -> b.get(i) & 0xff;
                        case 2 -> b.getShort(2 * i) & 0xffff;
                        case 4 -> b.getInt(4 * i) & 0xffffffffL;
                        default -> b.getLong(8 * i);
                    };
                case 'i' ->
                    switch (size) {
                        case 1 -> b.get(i);
                        case 2 -> b.getShort(2 * i);
                        case 4 -> b.getInt(4 * i);
                        default -> b.getLong(8 * i);
                    };
                case 'b' -> b.get(i);
                default -> size == 4 ? b.getFloat(4 * i) : (float) b.getDouble(8 * i);
            };
        return out;
    }

    private byte[] decompress(byte[] raw, String where) throws IOException {
        if (compressor == null) return raw;
        String id = compressor.get("id").getAsString();
        try {
            return switch (id) {
                case "blosc" -> Blosc.decompress(raw, where);
                case "zlib" -> inflate(raw);
                case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes();
                default ->
                    throw new IOException(where + ": the compressor " + id + " is not read; rewrite the array"
                            + " with blosc (lz4 or zstd), zlib or gzip");
            };
        } catch (DataFormatException | EOFException | ZipException e) {
            throw new IOException(
                    "chunk " + where + " cannot be decompressed (" + id + ": " + e.getMessage()
                            + "); it is incomplete or corrupt: write it again",
                    e);
        }
    }

    private static byte[] inflate(byte[] raw) throws DataFormatException {
        Inflater inf = new Inflater();
        inf.setInput(raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
        byte[] buf = new byte[1 << 16];
        while (!inf.finished()) {
            int n = inf.inflate(buf);
            if (n == 0 && (inf.needsInput() || inf.needsDictionary())) throw new DataFormatException("truncated data");
            out.write(buf, 0, n);
        }
        inf.end();
        return out.toByteArray();
    }

    private static int bytesOf(String dtype, String where) throws IOException {
        if (dtype.matches("[<>|][uifb][1248]") && !dtype.matches(".f1|.f2")) return dtype.charAt(2) - '0';
        throw new IOException(where + ": data type " + dtype + " is not read; give integers or floats of 1 to 8 bytes");
    }

    private static long[] longs(JsonArray a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsLong();
        return v;
    }
}
