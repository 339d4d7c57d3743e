package org.cnnj.spark;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Factory;
import org.xerial.snappy.Snappy;

/**
 * Decompression of Blosc 1 frames, the compressor Zarr v2 writers use by default (zarr-python and bioformats2raw:
 * blosc/lz4 with byte shuffle; ome-zarr-py: blosc/zstd): a 16-byte header, block offsets, per block one stream or one
 * per byte of the element type, each LZ4, Zstandard, zlib or Snappy (the codecs Spark itself ships), then the byte
 * shuffle or bit shuffle undone. BloscLZ is refused with a message saying how to rewrite the data.
 */
final class Blosc {
    private static final int MEMCPYED = 0x2, SHUFFLE = 0x1, BITSHUFFLE = 0x4, DONT_SPLIT = 0x10;
    private static final int MAX_SPLITS = 16, MIN_BUFFERSIZE = 128;
    private static final String[] CODECS = {"blosclz", "lz4", "snappy", "zlib", "zstd"};

    private Blosc() {}

    static byte[] decompress(byte[] frame, String where) throws IOException {
        if (frame.length < 16) throw new IOException(where + ": not a Blosc frame (" + frame.length + " bytes)");
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int flags = frame[2] & 0xff, typesize = frame[3] & 0xff;
        int nbytes = b.getInt(4), blocksize = b.getInt(8), cbytes = b.getInt(12);
        if (cbytes > frame.length || nbytes < 0 || blocksize <= 0 && nbytes > 0)
            throw new IOException(where + ": damaged Blosc header (" + cbytes + " compressed bytes said, "
                    + frame.length + " present): the chunk file is incomplete or corrupt; write it again");
        byte[] out = new byte[nbytes];
        if ((flags & MEMCPYED) != 0) {
            System.arraycopy(frame, 16, out, 0, nbytes);
            return out;
        }
        int codec = flags >> 5;
        String name = codec < CODECS.length ? CODECS[codec] : "code " + codec;
        if (codec == 0 || codec >= CODECS.length)
            throw new IOException(where + ": Blosc with " + name + " is not supported; rewrite the data with"
                    + " cname=lz4 or zstd (the defaults of zarr-python and ome-zarr-py)");
        int nblocks = (nbytes + blocksize - 1) / blocksize;
        byte[] block = new byte[blocksize];
        for (int j = 0; j < nblocks; j++) {
            int start = b.getInt(16 + 4 * j);
            boolean leftover = j == nblocks - 1 && nbytes % blocksize != 0;
            int bsize = leftover ? nbytes % blocksize : blocksize;
            boolean split = (flags & DONT_SPLIT) == 0
                    && typesize <= MAX_SPLITS
                    && blocksize / typesize >= MIN_BUFFERSIZE
                    && !leftover;
            int nsplits = split ? typesize : 1, neblock = bsize / nsplits, at = start;
            // As c-blosc decides: byte shuffle for types of 2 bytes or more, else bit shuffle (any type size).
            boolean shuffled = (flags & SHUFFLE) != 0 && typesize > 1;
            boolean bitShuffled = !shuffled && (flags & BITSHUFFLE) != 0 && bsize >= typesize;
            boolean viaBlock = shuffled || bitShuffled; // decoded into the block buffer, then unshuffled into out
            byte[] dst = viaBlock ? block : out;
            int dstOff = viaBlock ? 0 : j * blocksize;
            for (int s = 0; s < nsplits; s++) {
                int len = b.getInt(at);
                at += 4;
                int o = dstOff + s * neblock;
                if (len == neblock) System.arraycopy(frame, at, dst, o, neblock); // stored as is
                else decode(codec, frame, at, len, dst, o, neblock, where);
                at += len;
            }
            if (shuffled) unshuffle(block, bsize, typesize, out, j * blocksize);
            if (bitShuffled) bitUnshuffle(block, bsize, typesize, out, j * blocksize, frame[0] & 0xff);
        }
        return out;
    }

    private static void decode(int codec, byte[] src, int off, int len, byte[] dst, int dstOff, int n, String where)
            throws IOException {
        try {
            int got = switch (codec) {
                case 1 -> LZ4Factory.fastestInstance().safeDecompressor().decompress(src, off, len, dst, dstOff, n);
                case 2 -> Snappy.uncompress(src, off, len, dst, dstOff);
                case 3 -> inflate(src, off, len, dst, dstOff, n);
                default -> (int) Zstd.decompressByteArray(dst, dstOff, n, src, off, len);
            };
            if (got != n) throw new IOException("gave " + got + " bytes, " + n + " expected");
        } catch (IOException | RuntimeException | DataFormatException e) {
            throw new IOException(
                    where + ": damaged " + CODECS[codec] + " data in a Blosc block (" + e.getMessage()
                            + "); the chunk file is incomplete or corrupt",
                    e);
        }
    }

    private static int inflate(byte[] src, int off, int len, byte[] dst, int dstOff, int n) throws DataFormatException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(src, off, len);
            return inf.inflate(dst, dstOff, n);
        } finally {
            inf.end();
        }
    }

    /**
     * Bit shuffle undone (bitshuffle's layout, as c-blosc stores it): for n elements (a multiple of 8), bit k of byte j of
     * element i was stored as bit i % 8 of byte (8j + k)·n/8 + i/8. Blosc format 2 (c-blosc 1.x) stores a block whose
     * element count is not a multiple of 8 as it is; later formats shuffle the largest multiple of 8 and copy the rest.
     * {@code dst} holds zeros in the block's range (bits are set, never cleared).
     */
    private static void bitUnshuffle(byte[] src, int size, int typesize, byte[] dst, int dstOff, int version) {
        int n = size / typesize, whole = version <= 2 ? (n % 8 == 0 ? n : 0) : n - n % 8, rowBytes = whole / 8;
        for (int j = 0; j < typesize; j++)
            for (int k = 0; k < 8; k++) {
                int row = (j * 8 + k) * rowBytes;
                byte bit = (byte) (1 << k);
                for (int q = 0; q < rowBytes; q++) {
                    int bits = src[row + q] & 0xff;
                    for (int m = 0; bits != 0; m++, bits >>>= 1)
                        if ((bits & 1) != 0) dst[dstOff + (q * 8 + m) * typesize + j] |= bit;
                }
            }
        int done = whole * typesize;
        System.arraycopy(src, done, dst, dstOff + done, size - done);
    }

    /** Byte shuffle undone: byte k of element i was stored at k·(size/typesize) + i. */
    private static void unshuffle(byte[] src, int size, int typesize, byte[] dst, int dstOff) {
        int n = size / typesize;
        for (int k = 0; k < typesize; k++) for (int i = 0; i < n; i++) dst[dstOff + i * typesize + k] = src[k * n + i];
        int rest = size % typesize;
        if (rest > 0) System.arraycopy(src, size - rest, dst, dstOff + size - rest, rest);
    }
}
