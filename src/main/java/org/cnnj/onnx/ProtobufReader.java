package org.cnnj.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Sequential reader over one protocol-buffers message: the counterpart of {@link Protobuf}, for the wire types ONNX
 * files use. A field that runs past the end of its message is an error (a cut-short file), not a silent stop.
 */
final class ProtobufReader {
    private final ByteBuffer buf;

    ProtobufReader(ByteBuffer buf) {
        this.buf = buf;
    }

    boolean more() {
        return buf.hasRemaining();
    }

    int tag() {
        return (int) varint();
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = buf.get();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new IllegalArgumentException("malformed varint");
    }

    byte[] bytes() {
        long len = varint();
        if (len < 0 || len > buf.remaining())
            throw new IllegalArgumentException("a field runs past the end of the file");
        byte[] out = new byte[(int) len];
        buf.get(out);
        return out;
    }

    String string() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    float float32() {
        return buf.order(ByteOrder.LITTLE_ENDIAN).getFloat();
    }

    ProtobufReader message() {
        long len = varint();
        if (len < 0 || len > buf.remaining())
            throw new IllegalArgumentException("a message runs past the end of the file");
        ByteBuffer slice = buf.slice().limit((int) len);
        buf.position(buf.position() + (int) len);
        return new ProtobufReader(slice);
    }

    void skip(int tag) {
        switch (tag & 7) {
            case 0 -> varint();
            case 1 -> buf.position(buf.position() + 8);
            case 2 -> bytes();
            case 5 -> buf.position(buf.position() + 4);
            default -> throw new IllegalArgumentException("unknown wire type " + (tag & 7));
        }
    }

    /** The first string (or bytes) field numbered {@code number} left in this message, or "" when it has none. */
    String stringField(int number) {
        while (more()) {
            int t = tag();
            if (t >>> 3 == number && (t & 7) == 2) return string();
            skip(t);
        }
        return "";
    }

    /** Whether any field numbered {@code number} is left in this message (reads to it). */
    boolean hasField(int number) {
        while (more()) {
            int t = tag();
            if (t >>> 3 == number) return true;
            skip(t);
        }
        return false;
    }

    /** Where the next field starts: with {@link #since} a field can be copied unchanged (tag and value). */
    int position() {
        return buf.position();
    }

    /** The encoded bytes from {@code start} to the current position. */
    byte[] since(int start) {
        byte[] out = new byte[buf.position() - start];
        buf.duplicate().position(start).get(out);
        return out;
    }
}
