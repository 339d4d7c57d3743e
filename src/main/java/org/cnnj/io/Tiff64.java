package org.cnnj.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * TIFFs of 64-bit integers, which neither ImageJ nor ImageIO reads: what {@code tifffile.imwrite} or
 * {@code skimage.io.imsave} write for a label image straight from {@code skimage.measure.label} or a NumPy int64 array
 * (Python's default integer). Strips, uncompressed or deflate, with or without the horizontal predictor; classic TIFF
 * and BigTIFF; a plane per page and sample (reduced-resolution pages left out).
 */
public final class Tiff64 {
    private static final int WIDTH = 256,
            HEIGHT = 257,
            BITS = 258,
            COMPRESSION = 259,
            STRIP_OFFSETS = 273,
            SAMPLES = 277,
            ROWS_PER_STRIP = 278,
            STRIP_COUNTS = 279,
            PREDICTOR = 317,
            TILE_WIDTH = 322,
            SAMPLE_FORMAT = 339,
            SUBFILE_TYPE = 254,
            PLANAR = 284;

    private Tiff64() {}

    /** A plane's size and values (C order: rows, then columns). */
    public record Plane(int width, int height, long[] values) {}

    /** Whether {@code file}'s first page holds 64-bit integers (false for anything that is not such a TIFF). */
    public static boolean holds64BitIntegers(Path file) {
        try {
            Ifd first = ifds(map(file), file).get(0);
            return first.value(BITS, 0) == 64 && first.value(SAMPLE_FORMAT, 1) != 3;
        } catch (IOException | RuntimeException notOne) {
            return false;
        }
    }

    /**
     * The full-resolution pages of a 64-bit integer TIFF, a plane per page and sample (tifffile saves a 3-plane stack
     * without {@code photometric} as one page of 3 samples).
     */
    public static List<Plane> read(Path file) throws IOException {
        ByteBuffer b = map(file);
        List<Plane> out = new ArrayList<>();
        try {
            for (Ifd ifd : ifds(b, file)) {
                if ((ifd.value(SUBFILE_TYPE, 0) & 1) == 1) continue;
                out.addAll(planes(b, ifd, file));
            }
        } catch (RuntimeException | DataFormatException e) {
            throw new IOException(file + " is damaged (" + e + "); write it again");
        }
        return out;
    }

    /**
     * The file mapped, not read: asking whether a label TIFF holds 64-bit integers reads its header and first
     * directory only, whatever the file's size (the first 2 GB can be addressed).
     */
    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(channel.size(), Integer.MAX_VALUE));
        }
    }

    private static List<Plane> planes(ByteBuffer b, Ifd ifd, Path file) throws IOException, DataFormatException {
        int w = (int) ifd.value(WIDTH, 0), h = (int) ifd.value(HEIGHT, 0), samples = (int) ifd.value(SAMPLES, 1);
        long compression = ifd.value(COMPRESSION, 1), predictor = ifd.value(PREDICTOR, 1);
        boolean separate = ifd.value(PLANAR, 1) == 2;
        if (ifd.value(BITS, 0) != 64 || samples < 1 || ifd.has(TILE_WIDTH) || (predictor == 2 && samples > 1))
            throw new IOException(file + ": a page that is not 64-bit integers in strips");
        if (compression != 1 && compression != 8 && compression != 32946)
            throw new IOException(file + ": compression " + compression + " in a 64-bit TIFF; write it uncompressed"
                    + " or with deflate (zlib), or as 32-bit integers (labels.astype('int32'))");
        long[] offsets = ifd.values(STRIP_OFFSETS), counts = ifd.values(STRIP_COUNTS);
        long rowsPerStrip = Math.min(h, ifd.value(ROWS_PER_STRIP, h));
        long stripBytes = rowsPerStrip * w * 8L * (separate ? 1 : samples);
        int plane = Math.multiplyExact(w, h);
        ByteBuffer pixels = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(plane, samples), 8));
        for (int s = 0; s < offsets.length && pixels.hasRemaining(); s++) {
            byte[] strip = new byte[Math.toIntExact(counts[s])];
            b.get(Math.toIntExact(offsets[s]), strip);
            if (compression != 1) strip = inflate(strip, (int) Math.min(pixels.remaining(), stripBytes));
            pixels.put(strip, 0, Math.min(strip.length, pixels.remaining()));
        }
        if (pixels.hasRemaining()) throw new IOException(file + " ends before its pixels do: it is cut short");
        long[] all = new long[plane * samples];
        pixels.flip().order(b.order()).asLongBuffer().get(all);
        List<Plane> out = new ArrayList<>();
        for (int k = 0; k < samples; k++) {
            long[] values = new long[plane];
            for (int i = 0; i < plane; i++) values[i] = separate ? all[k * plane + i] : all[i * samples + k];
            if (predictor == 2) // each value stored as the difference to its left neighbour
            for (int y = 0; y < h; y++) for (int x = 1; x < w; x++) values[y * w + x] += values[y * w + x - 1];
            out.add(new Plane(w, h, values));
        }
        return out;
    }

    private static byte[] inflate(byte[] data, int expected) throws DataFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
        byte[] chunk = new byte[65536];
        while (!inflater.finished() && out.size() < expected) {
            int n = inflater.inflate(chunk);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
            out.write(chunk, 0, n);
        }
        inflater.end();
        return out.toByteArray();
    }

    /** One image file directory: its tags' values (only the numeric ones this reader needs). */
    private record Ifd(Map<Integer, long[]> tags) {
        boolean has(int tag) {
            return tags.containsKey(tag);
        }

        long value(int tag, long fallback) {
            long[] v = tags.get(tag);
            return v == null || v.length == 0 ? fallback : v[0];
        }

        long[] values(int tag) {
            long[] v = tags.get(tag);
            if (v == null) throw new IllegalArgumentException("no tag " + tag);
            return v;
        }
    }

    private static List<Ifd> ifds(ByteBuffer b, Path file) throws IOException {
        if (b.remaining() < 8) throw new IOException(file + " is not a TIFF");
        b.order(b.get(0) == 'M' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int magic = b.getShort(2) & 0xffff;
        boolean big = magic == 43;
        if (magic != 42 && !big) throw new IOException(file + " is not a TIFF");
        long next = big ? b.getLong(8) : b.getInt(4) & 0xffffffffL;
        List<Ifd> out = new ArrayList<>();
        while (next != 0 && out.size() < 100_000) {
            int at = Math.toIntExact(next);
            long n = big ? b.getLong(at) : b.getShort(at) & 0xffff;
            int entry = at + (big ? 8 : 2), size = big ? 20 : 12;
            Map<Integer, long[]> tags = new HashMap<>();
            for (int i = 0; i < n; i++, entry += size) {
                int tag = b.getShort(entry) & 0xffff, type = b.getShort(entry + 2) & 0xffff;
                long count = big ? b.getLong(entry + 4) : b.getInt(entry + 4) & 0xffffffffL;
                int width = switch (type) {
                    case 3 -> 2; // SHORT
                    case 4 -> 4; // LONG
                    case 16 -> 8; // LONG8 (BigTIFF)
                    default -> 0; // not a whole number this reader needs
                };
                if (width == 0 || count > 10_000_000) continue;
                int valueAt = entry + (big ? 12 : 8);
                if (count * width > (big ? 8 : 4))
                    valueAt = Math.toIntExact(big ? b.getLong(valueAt) : b.getInt(valueAt) & 0xffffffffL);
                long[] v = new long[(int) count];
                for (int k = 0; k < v.length; k++) {
                    int p = valueAt + k * width;
                    v[k] = width == 2 ? b.getShort(p) & 0xffff : width == 4 ? b.getInt(p) & 0xffffffffL : b.getLong(p);
                }
                tags.put(tag, v);
            }
            out.add(new Ifd(tags));
            next = big ? b.getLong(entry) : b.getInt(entry) & 0xffffffffL;
        }
        if (out.isEmpty()) throw new IOException(file + " has no image in it");
        return out;
    }
}
