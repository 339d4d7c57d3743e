package org.cnnj.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} files (format versions 1–3) as {@code np.save} writes them: an array of numbers, or of Python
 * objects pickled after the header — how Cellpose saves its {@code X_seg.npy} (a dict holding the masks). Read without
 * Python and without running anything the file holds ({@link Unpickler}).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'"),
            FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)"),
            SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * A NumPy array in C order (the last axis fastest): {@code type} is NumPy's kind and item size ("u2", "i8", "f4",
     * "b1"; "O8" for Python objects, then held in {@code objects} and {@code data} is null).
     */
    public record Array(String type, ByteOrder order, long[] shape, byte[] data, List<Object> objects) {
        /** An array of numbers from its bytes, put in C order when they are in Fortran order. */
        static Array of(String type, ByteOrder order, long[] shape, boolean fortran, byte[] data) {
            if (type.startsWith("O")) throw new IllegalArgumentException("an object array's data is not bytes");
            Array a = new Array(type, order, shape, data, null);
            // Strings, dates and the like are kept as they are: a dict may hold them beside the masks.
            if (!type.matches("[biufc]\\d+")) return a;
            long expected = a.size() * a.itemSize();
            if (data.length != expected) {
                throw new IllegalArgumentException("an array of shape " + Arrays.toString(shape) + " and type " + type
                        + " needs " + expected + " bytes but holds " + data.length + " (cut short?)");
            }
            if (!fortran || shape.length < 2) return a;
            byte[] c = new byte[data.length];
            int item = a.itemSize();
            long[] fortranIndex = fortranIndices(shape);
            for (int i = 0; i < fortranIndex.length; i++)
                System.arraycopy(data, (int) fortranIndex[i] * item, c, i * item, item);
            return new Array(type, order, shape, c, null);
        }

        /** An array of Python objects (dtype object). */
        static Array ofObjects(long[] shape, boolean fortran, List<Object> objects) {
            long size = 1;
            for (long d : shape) size *= d;
            if (size != objects.size())
                throw new IllegalArgumentException(
                        "an object array of shape " + Arrays.toString(shape) + " holds " + objects.size() + " objects");
            List<Object> c = objects;
            if (fortran && shape.length >= 2) {
                c = new ArrayList<>(objects.size());
                for (long f : fortranIndices(shape)) c.add(objects.get((int) f));
            }
            return new Array("O8", ByteOrder.LITTLE_ENDIAN, shape, null, c);
        }

        /** The number of elements (1 for a 0-d array). */
        public long size() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        /** Bytes per element. */
        public int itemSize() {
            return Integer.parseInt(type.substring(1));
        }

        /** Whether the elements are whole numbers (or booleans). */
        public boolean isInteger() {
            char kind = type.charAt(0);
            return kind == 'i' || kind == 'u' || kind == 'b';
        }

        /** Element {@code i} (C order) as a Long, Double or Boolean, or the Python object of an object array. */
        public Object value(long i) {
            if (objects != null) return objects.get((int) i);
            ByteBuffer b = ByteBuffer.wrap(data).order(order);
            int at = (int) (i * itemSize());
            return switch (type) {
                case "b1" -> b.get(at) != 0;
                case "i1" -> (long) b.get(at);
                case "u1" -> (long) (b.get(at) & 0xff);
                case "i2" -> (long) b.getShort(at);
                case "u2" -> (long) (b.getShort(at) & 0xffff);
                case "i4" -> (long) b.getInt(at);
                case "u4" -> b.getInt(at) & 0xffffffffL;
                case "i8", "u8" -> b.getLong(at);
                case "f4" -> (double) b.getFloat(at);
                case "f8" -> b.getDouble(at);
                default ->
                    throw new IllegalArgumentException("NumPy type " + type + " is not a number this reader takes"
                            + " (whole numbers, booleans, float32/float64)");
            };
        }

        /**
         * Elements {@code from} to {@code from + n} (C order) of a whole-number or boolean array as ints, read in one
         * pass (whole planes of a label image); values beyond int's range are refused.
         */
        public int[] ints(long from, int n) {
            if (!isInteger()) throw new IllegalArgumentException("NumPy type " + type + " does not hold whole numbers");
            ByteBuffer b = ByteBuffer.wrap(data).order(order);
            int item = itemSize(), at = Math.toIntExact(from * item);
            int[] out = new int[n];
            for (int i = 0; i < n; i++, at += item) {
                long v = switch (item) {
                    case 1 -> type.equals("i1") ? b.get(at) : b.get(at) & 0xff;
                    case 2 -> type.equals("i2") ? b.getShort(at) : b.getShort(at) & 0xffff;
                    case 4 -> type.equals("i4") ? b.getInt(at) : b.getInt(at) & 0xffffffffL;
                    default -> b.getLong(at);
                };
                if (v != (int) v) throw new IllegalArgumentException("value " + v + " is beyond a label image's range");
                out[i] = (int) v;
            }
            return out;
        }

        /** The one element of a 0-d array: what {@code np.load(f, allow_pickle=True).item()} gives. */
        public Object item() {
            if (size() != 1)
                throw new IllegalArgumentException("an array of shape " + Arrays.toString(shape) + " is not one item");
            return value(0);
        }

        /** For each C-order position, the index it has in Fortran order (the first axis fastest). */
        private static long[] fortranIndices(long[] shape) {
            long size = 1;
            for (long d : shape) size *= d;
            long[] out = new long[Math.toIntExact(size)];
            int[] at = new int[shape.length];
            for (int c = 0; c < out.length; c++) {
                long f = 0, stride = 1;
                for (int k = 0; k < shape.length; k++) {
                    f += at[k] * stride;
                    stride *= shape[k];
                }
                out[c] = f;
                for (int k = shape.length - 1; k >= 0 && ++at[k] == shape[k]; k--) at[k] = 0;
            }
            return out;
        }
    }

    /** The array in {@code file}; an object array's elements unpickled. */
    public static Array read(Path file) throws IOException {
        if (Files.size(file) > Integer.MAX_VALUE - 64)
            throw new IOException(file + " is over 2 GB; save the masks as a TIFF label image instead");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        if (b.remaining() >= 10) b.get(magic);
        if (!Arrays.equals(magic, MAGIC))
            throw new IOException(file + " is not a NumPy .npy file (no \\x93NUMPY at its start)");
        int major = b.get() & 0xff;
        b.get();
        int headerLength = major == 1 ? b.getShort() & 0xffff : b.getInt();
        if (major > 3 || headerLength < 0 || headerLength > b.remaining())
            throw new IOException(file + " has a .npy header this reader does not know (version " + major + ")");
        byte[] header = new byte[headerLength];
        b.get(header);
        String h = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(h), fortran = FORTRAN.matcher(h), shape = SHAPE.matcher(h);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new IOException(file + " has a .npy header without one plain type, order and shape (" + h.strip()
                    + "): a structured array is not an image; save the masks as a plain integer array");
        }
        String d = descr.group(1);
        if (d.contains("O")) {
            Object value = Unpickler.load(b, file.toString());
            if (value instanceof Array a) return a;
            throw new IOException(file + " holds a pickled " + value.getClass().getSimpleName() + ", not an array");
        }
        ByteOrder order = d.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String type = d.replaceFirst("^[<>|=]", "");
        byte[] data = new byte[b.remaining()];
        b.get(data);
        try {
            return Array.of(type, order, shape(shape.group(1)), fortran.group(1).equals("True"), data);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static long[] shape(String dims) {
        return Arrays.stream(dims.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .mapToLong(s -> Long.parseLong(s.replace("L", "")))
                .toArray();
    }
}
