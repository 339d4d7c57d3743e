package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zarr v2 arrays as other tools write them (src/test/python/make_zarr_fixtures.py: zarr-python's default Blosc/lz4
 * with byte shuffle, ome-zarr-py's Blosc/zstd with nested keys in an NGFF group, bioformats2raw's layout with
 * big-endian uint16, zlib floats, Blosc without shuffle and a missing chunk; z-stacks as ome-zarr-py and bioformats2raw
 * write them; Blosc's bit shuffle), read back value for value; CNN-J's own
 * label arrays read back as written; and damaged input named by its chunk.
 */
class ZarrTest {
    static final Path FIXTURES = Path.of("src/test/resources/org/cnnj/spark/zarr");

    @TempDir
    Path dir;

    static float expected(String kind, int y, int x) {
        int v = (131 * y + 7 * x) % 65521;
        return switch (kind) {
            case "u1" -> v % 251;
            case "f4" -> v / 2f;
            default -> v;
        };
    }

    static void assertPlane(String kind, OmeZarr.Image im, long y0, long x0, int h, int w) throws IOException {
        float[] p = im.array().readPlane(new long[im.array().shape().length - 2], y0, x0, h, w);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                long gy = y0 + y, gx = x0 + x;
                float want = gy < 0 || gx < 0 || gy >= im.height() || gx >= im.width()
                        ? 0
                        : expected(kind, (int) gy, (int) gx);
                assertEquals(want, p[y * w + x], kind + " at " + gy + "," + gx);
            }
    }

    @Test
    void readsWhatZarrPythonOmeZarrPyAndBioformats2rawWrite() throws IOException {
        for (Map.Entry<String, String> e : Map.of(
                        "lz4-u2.zarr", "u2",
                        "zstd-nested.ome.zarr", "u2",
                        "bf2raw.zarr", "u2",
                        "zlib-f4-be.zarr", "f4")
                .entrySet()) {
            OmeZarr.Image im = OmeZarr.open(FIXTURES.resolve(e.getKey()));
            assertEquals(130, im.width(), e.getKey());
            assertEquals(100, im.height(), e.getKey());
            assertPlane(e.getValue(), im, 0, 0, 100, 130);
            assertPlane(e.getValue(), im, 30, 45, 50, 70); // across chunk borders
            assertPlane(e.getValue(), im, -5, 120, 20, 20); // partly outside: zeros
        }
        assertEquals(
                List.of("t", "c", "z", "y", "x"),
                OmeZarr.open(FIXTURES.resolve("bf2raw.zarr")).axes());
        assertEquals(
                List.of("c", "y", "x"),
                OmeZarr.open(FIXTURES.resolve("zstd-nested.ome.zarr")).axes());
    }

    /** v3(z, y, x) of the volume fixtures, in the type of {@code kind}. */
    static float expected(String kind, int z, int y, int x) {
        int v = (1009 * z + 131 * y + 7 * x) % 65521;
        return switch (kind) {
            case "u1" -> v % 251;
            case "f4" -> v / 2f;
            default -> v;
        };
    }

    static void assertBox(String what, String kind, float[] got, long[] at, int[] size) {
        for (int z = 0, i = 0; z < size[0]; z++)
            for (int y = 0; y < size[1]; y++)
                for (int x = 0; x < size[2]; x++, i++)
                    assertEquals(
                            expected(kind, (int) at[0] + z, (int) at[1] + y, (int) at[2] + x),
                            got[i],
                            what + " at " + (at[0] + z) + "," + (at[1] + y) + "," + (at[2] + x));
    }

    /**
     * z-stacks as ome-zarr-py writes them (axes with type and unit, a pyramid, Blosc zstd, nested keys) and as
     * bioformats2raw does (t c z y x, one plane per chunk, big-endian, Blosc lz4): the full resolution read in boxes
     * across chunk borders, the z spacing from the scale (2 µm over 0.5 µm: 4 × xy).
     */
    @Test
    void readsZStacksAsOmeZarrPyAndBioformats2rawWriteThem() throws IOException {
        for (String name : List.of("zyx.ome.zarr", "bf2raw-3d.zarr")) {
            OmeZarr.Image im = OmeZarr.open(FIXTURES.resolve(name));
            BlockSource source = new BlockSource.Zarr(im, name);
            assertEquals(10, source.depth(), name);
            assertEquals(40, source.height(), name);
            assertEquals(48, source.width(), name);
            assertEquals(1, source.channels(), name);
            assertTrue(
                    Arrays.equals(new double[] {2.0, 0.5, 0.5}, source.voxel()),
                    name + ": " + Arrays.toString(source.voxel()));
            assertBox(name, "u2", source.readBox(0, new BlockSource.Box(0, 0, 0, 10, 40, 48)), new long[3], new int[] {
                10, 40, 48
            });
            long[] at = {3, 7, 29}; // across chunk borders in z, y and x
            int[] size = {6, 30, 19};
            assertBox(
                    name,
                    "u2",
                    source.readBox(0, new BlockSource.Box(at[0], at[1], at[2], size[0], size[1], size[2])),
                    at,
                    size);
        }
        assertEquals(
                List.of("z", "y", "x"),
                OmeZarr.open(FIXTURES.resolve("zyx.ome.zarr")).axes());
        assertEquals(
                List.of("t", "c", "z", "y", "x"),
                OmeZarr.open(FIXTURES.resolve("bf2raw-3d.zarr")).axes());
    }

    /**
     * Blosc's bit shuffle (numcodecs' Blosc.BITSHUFFLE) in 1-, 2- and 4-byte types, with blocks whose element count is
     * not a multiple of 8 (c-blosc 1.x stores those unshuffled) and a small block size (many blocks per chunk).
     */
    @Test
    void readsBitShuffledChunks() throws IOException {
        for (Map.Entry<String, String> e : Map.of(
                        "bitshuffle-u2.zarr", "u2",
                        "bitshuffle-u1.zarr", "u1",
                        "bitshuffle-f4.zarr", "f4")
                .entrySet()) {
            ZarrArray a = ZarrArray.open(FIXTURES.resolve(e.getKey()));
            assertEquals(
                    List.of(10L, 40L, 48L), Arrays.stream(a.shape()).boxed().toList(), e.getKey());
            assertBox(e.getKey(), e.getValue(), a.read(new long[3], new int[] {10, 40, 48}), new long[3], new int[] {
                10, 40, 48
            });
        }
    }

    @Test
    void aBareVolumeArrayIsRefusedWithHowToNameItsAxes() {
        IOException e = assertThrows(IOException.class, () -> OmeZarr.open(FIXTURES.resolve("bitshuffle-u2.zarr")));
        assertTrue(
                e.getMessage().contains("bitshuffle-u2.zarr is a bare Zarr array of shape [10, 40, 48]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("axes z, y, x"), e.getMessage());
    }

    @Test
    void aMissingChunkIsTheFillValue() throws IOException {
        OmeZarr.Image im = OmeZarr.open(FIXTURES.resolve("noshuffle-u1.zarr"));
        float[] p = im.array().readPlane(new long[0], 0, 0, 100, 130);
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 130; x++)
                assertEquals(y >= 50 && x >= 128 ? 7 : expected("u1", y, x), p[y * 130 + x], y + "," + x);
    }

    @Test
    void labelArraysReadBackAsWritten() throws IOException {
        ZarrArray a = OmeZarr.createLabels(
                dir.resolve("labels.zarr"), new long[] {70, 90}, new int[] {32, 32}, 1, "image.zarr");
        int[] chunk = new int[32 * 32];
        for (int i = 0; i < chunk.length; i++) chunk[i] = i * 40_000; // beyond 16 bits, beyond 2^31 as unsigned
        a.writeChunk(new long[] {2, 1}, chunk);
        OmeZarr.Image back = OmeZarr.open(dir.resolve("labels.zarr"));
        float[] p = back.array().readPlane(new long[0], 64, 32, 6, 32); // rows 64-69 exist of chunk row 2
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 32; x++)
                assertEquals((float) ((y * 32 + x) * 40_000L & 0xffffffffL), p[y * 32 + x], 1e-3 * p[y * 32 + x]);
        assertEquals("<u4", back.array().dtype());
        try (Stream<Path> s = Files.list(dir.resolve("labels.zarr/0/2"))) {
            assertEquals(List.of("1"), s.map(f -> f.getFileName().toString()).toList()); // nested keys, no temp file
        }
    }

    /**
     * A volume in chunks that do not divide it, read back whole and as boxes across chunk borders, also reaching past
     * the array's end (0 there); the OME-Zarr group names its axes z, y, x with the z scale.
     */
    @Test
    void volumesReadBackInAnyBox() throws IOException {
        int d = 7, h = 20, w = 23;
        float[] v = new float[d * h * w];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7919) % 65536;
        ZarrArray a = OmeZarr.write(dir.resolve("v.zarr"), v, new long[] {d, h, w}, new int[] {3, 8, 8}, 2.5, "<u2");
        assertTrue(Arrays.equals(v, a.read(new long[3], new int[] {d, h, w})), "the whole volume");
        long[] at = {2, 5, 6};
        int[] size = {4, 12, 20}; // x runs past the end (6 + 20 > 23)
        float[] box = a.read(at, size);
        for (int z = 0; z < size[0]; z++)
            for (int y = 0; y < size[1]; y++)
                for (int x = 0; x < size[2]; x++) {
                    long gx = at[2] + x;
                    float expected = gx < w ? v[(int) (((at[0] + z) * h + at[1] + y) * w + gx)] : 0;
                    assertEquals(expected, box[(z * size[1] + y) * size[2] + x], "voxel " + z + "," + y + "," + x);
                }
        OmeZarr.Image im = OmeZarr.open(dir.resolve("v.zarr"));
        assertEquals(List.of("z", "y", "x"), im.axes());
        assertEquals(2.5, im.scale()[0], 1e-12);
        BlockSource source = new BlockSource.Zarr(im, "v.zarr");
        assertEquals(d, source.depth());
        assertEquals(2.5, source.voxel()[0] / source.voxel()[2], 1e-12);
    }

    @Test
    void aDamagedChunkIsNamed() throws IOException {
        Path copy = dir.resolve("lz4.zarr");
        Files.createDirectories(copy);
        try (Stream<Path> s = Files.list(FIXTURES.resolve("lz4-u2.zarr"))) {
            for (Path f : s.toList()) Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] chunk = Files.readAllBytes(copy.resolve("1.1"));
        Files.write(copy.resolve("1.1"), Arrays.copyOf(chunk, chunk.length / 2));
        OmeZarr.Image im = OmeZarr.open(copy);
        IOException e = assertThrows(IOException.class, () -> im.array().readPlane(new long[0], 0, 0, 100, 130));
        assertTrue(e.getMessage().contains("1.1") && e.getMessage().contains("corrupt"), e.getMessage());

        Files.writeString(
                copy.resolve(".zarray"),
                Files.readString(copy.resolve(".zarray")).replace("\"<u2\"", "\"<U8\""));
        IOException type = assertThrows(IOException.class, () -> OmeZarr.open(copy));
        assertTrue(type.getMessage().contains("<U8"), type.getMessage());
        IOException none = assertThrows(IOException.class, () -> OmeZarr.open(dir));
        assertTrue(none.getMessage().contains("not an OME-Zarr image"), none.getMessage());
    }
}
