package org.cnnj.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's .npy format (version 1.0) for float32 arrays in C order: the test tensors of bioimage.io packages. A
 * header "\x93NUMPY", version, a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (…), } padded
 * with spaces to a multiple of 64 bytes and ended by a newline, then the values.
 */
public final class Npy {
    /** An array read from .npy: its shape and values (C order). */
    public record Array(int[] shape, float[] values) {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {}

    public static byte[] write(int[] shape, float[] values) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        if (shape.length > 1) dims.setLength(dims.length() - 2);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + 4 * values.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    public static Array read(byte[] bytes, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        if (bytes.length < 10) throw new IOException(name + " is not a .npy file (too short)");
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new IOException(name + " is not a .npy file");
        int major = b.get();
        b.get();
        int headerLength = major == 1 ? b.getShort() & 0xffff : b.getInt();
        byte[] h = new byte[headerLength];
        b.get(h);
        String header = new String(h, StandardCharsets.US_ASCII);
        Matcher descr = Pattern.compile("'descr':\\s*'([^']*)'").matcher(header);
        Matcher shape = Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
        if (!descr.find() || !shape.find()) throw new IOException(name + ": unreadable .npy header " + header.trim());
        if (header.contains("'fortran_order': True"))
            throw new IOException(name + " is stored in Fortran order; save it in C order (numpy's default)");
        String[] parts =
                shape.group(1).trim().isEmpty() ? new String[0] : shape.group(1).split(",");
        int[] dims = Arrays.stream(parts)
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt)
                .toArray();
        int n = 1;
        for (int d : dims) n *= d;
        float[] values = new float[n];
        String type = descr.group(1).toLowerCase(Locale.ROOT);
        ByteBuffer data = b.slice().order(type.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        switch (type.replace("<", "").replace(">", "").replace("|", "").replace("=", "")) {
            case "f4" -> data.asFloatBuffer().get(values);
            case "f8" -> {
                for (int i = 0; i < n; i++) values[i] = (float) data.getDouble();
            }
            case "u1" -> {
                for (int i = 0; i < n; i++) values[i] = data.get() & 0xff;
            }
            case "u2" -> {
                for (int i = 0; i < n; i++) values[i] = data.getShort() & 0xffff;
            }
            default -> throw new IOException(name + " holds " + type + " values; CNN-J reads float32/64, uint8/16");
        }
        return new Array(dims, values);
    }
}
