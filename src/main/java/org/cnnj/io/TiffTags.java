package org.cnnj.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * A check of a TIFF's or BigTIFF's tag counts before any reader trusts them. ImageJ's and ImageIO's readers allocate
 * what a count says: one damaged byte in an ImageDescription's count made ImageJ build a 2-billion-character string and
 * run out of memory — a Fiji user's heap gone on one bad file. Only counts larger than the whole file are refused: a
 * count within it costs at most the file's size, and readers ignore tags they do not know, so a private tag written
 * oddly by some program must not make a readable file unreadable.
 */
public final class TiffTags {
    private static final int MAX_DIRECTORIES = 1_000_000, MAX_ENTRIES = 65_535; // a classic TIFF's most

    private TiffTags() {}

    /** An IOException naming {@code file} when a tag of one of its directories says it holds more bytes than the file. */
    public static void checkCounts(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = in.size();
            ByteBuffer header = bytes(in, 0, 16, length);
            if (header == null) return; // too short for any image: the reader says so
            ByteOrder order = header.get(0) == 'M' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            header.order(order);
            int magic = header.getShort(2) & 0xffff;
            if (magic != 42 && magic != 43) return;
            boolean big = magic == 43;
            int entrySize = big ? 20 : 12, countSize = big ? 8 : 2, nextSize = big ? 8 : 4;
            Set<Long> seen = new HashSet<>();
            long next = big ? header.getLong(8) : header.getInt(4) & 0xffffffffL;
            // A directory beyond the end or seen before ends the walk, as readers end it.
            while (next > 0 && seen.size() < MAX_DIRECTORIES && seen.add(next)) {
                ByteBuffer head = bytes(in, next, countSize, length);
                if (head == null) return;
                head.order(order);
                long n = Math.min(big ? head.getLong(0) : head.getShort(0) & 0xffff, (length - next) / entrySize);
                if (n < 0 || n > MAX_ENTRIES) {
                    throw new IOException(file + " is damaged: a directory says it holds " + n + " tags; copy or"
                            + " download it again");
                }
                ByteBuffer all = bytes(in, next + countSize, (int) n * entrySize + nextSize, length);
                if (all == null) return;
                all.order(order);
                for (int i = 0; i < n; i++) {
                    int at = i * entrySize, tag = all.getShort(at) & 0xffff;
                    long count = big ? all.getLong(at + 4) : all.getInt(at + 4) & 0xffffffffL;
                    int size = typeSize(all.getShort(at + 2) & 0xffff);
                    if (count < 0 || (size > 0 && count > length / size)) {
                        throw new IOException(file + " is damaged: its tag " + tag + " says it holds " + count
                                + " values, more than the file's " + length + " bytes; copy or download it again");
                    }
                }
                next = big ? all.getLong((int) n * entrySize) : all.getInt((int) n * entrySize) & 0xffffffffL;
            }
        }
    }

    /** The bytes of one value of a TIFF 6 / BigTIFF type; 0 for a type neither defines (readers skip those). */
    private static int typeSize(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1; // BYTE, ASCII, SBYTE, UNDEFINED
            case 3, 8 -> 2; // SHORT, SSHORT
            case 4, 9, 11, 13 -> 4; // LONG, SLONG, FLOAT, IFD
            case 5, 10, 12, 16, 17, 18 -> 8; // RATIONAL, SRATIONAL, DOUBLE, LONG8, SLONG8, IFD8
            default -> 0;
        };
    }

    /** {@code n} bytes at {@code at}; null where they would lie beyond the end of the file. */
    private static ByteBuffer bytes(FileChannel in, long at, int n, long length) throws IOException {
        if (at < 0 || n < 0 || at + n > length) return null;
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) if (in.read(b, at + b.position()) < 0) return null;
        return b.flip();
    }
}
