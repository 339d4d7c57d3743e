package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HDF5 images as ilastik, its Fiji plugin, h5py and BigDataViewer write them (make_hdf5_image_fixtures.py). */
class Hdf5ImagesTest {
    private static final Path DIR = Path.of("src/test/resources/org/cnnj/ij/hdf5");

    @TempDir
    Path tmp;

    /** The fixtures' pixel (x, y) of channel c, slice z, frame t. */
    private static int value(int x, int y, int c, int z, int t) {
        return x + 40 * y + 1200 * c + 3000 * z + 10000 * t;
    }

    private static float at(Object plane, int i) {
        if (plane instanceof byte[] b) return b[i] & 0xff;
        if (plane instanceof short[] s) return s[i] & 0xffff;
        return ((float[]) plane)[i];
    }

    /** Every pixel of every plane of {@code image} against {@code want(x, y, c, z, t)}. */
    private static void assertPixels(Hdf5Images.Image image, Value want) {
        assertEquals(40, image.width());
        assertEquals(30, image.height());
        int n = 0;
        for (int t = 0; t < image.frames(); t++)
            for (int z = 0; z < image.slices(); z++)
                for (int c = 0; c < image.channels(); c++, n++)
                    for (int y = 0; y < 30; y++)
                        for (int x = 0; x < 40; x++)
                            assertEquals(
                                    want.at(x, y, c, z, t),
                                    at(image.planes()[n], y * 40 + x),
                                    1e-4,
                                    "c" + c + " z" + z + " t" + t + " at " + x + "," + y);
        assertEquals(image.planes().length, n, "planes in ImageJ's order: channel fastest, then z, then t");
    }

    private interface Value {
        float at(int x, int y, int c, int z, int t);
    }

    @Test
    void fijisIlastikPluginExportHasFiveAxesAndUnsigned16Bit() throws IOException {
        Hdf5Images.Image image = Hdf5Images.read(DIR.resolve("ilastik4ij.h5"));
        assertArrayEquals(
                new int[] {2, 3, 2, 16}, new int[] {image.channels(), image.slices(), image.frames(), image.bits()});
        assertTrue(image.planes()[0] instanceof short[]);
        assertPixels(image, (x, y, c, z, t) -> value(x, y, c, z, t) + 20000); // up to 38,399: unsigned
        assertNull(image.voxel());
    }

    @Test
    void h5pyArraysWithoutAxistagsTakeTheirAxesFromTheirRank() throws IOException {
        Hdf5Images.Image stack = Hdf5Images.read(DIR.resolve("raw-zyx.h5"));
        assertArrayEquals(
                new int[] {1, 3, 1, 8}, new int[] {stack.channels(), stack.slices(), stack.frames(), stack.bits()});
        assertPixels(stack, (x, y, c, z, t) -> value(x, y, 0, z, 0) % 256);
        Hdf5Images.Image rgb = Hdf5Images.read(DIR.resolve("rgb.h5"));
        assertArrayEquals(new int[] {3, 1, 1, 8}, new int[] {rgb.channels(), rgb.slices(), rgb.frames(), rgb.bits()});
        assertPixels(rgb, (x, y, c, z, t) -> value(x, y, c, 0, 0) % 256);
    }

    @Test
    void floatingPointStaysFloatingPoint() throws IOException {
        Hdf5Images.Image image = Hdf5Images.read(DIR.resolve("float_Probabilities.h5"));
        assertEquals(32, image.bits());
        assertPixels(image, (x, y, c, z, t) -> value(x, y, 0, 0, 0) / 1200f);
    }

    @Test
    void bigDataViewersFullResolutionViewIsUnsignedWithTheXmlsVoxelSize() throws IOException {
        Hdf5Images.Image image = Hdf5Images.read(DIR.resolve("bdv.h5"));
        assertArrayEquals(
                new int[] {1, 3, 1, 16}, new int[] {image.channels(), image.slices(), image.frames(), image.bits()});
        assertPixels(image, (x, y, c, z, t) -> value(x, y, 0, z, 0) + 30000); // stored as signed shorts
        assertArrayEquals(new double[] {0.5, 0.5, 2.0}, image.voxel());
        assertEquals("µm", image.unit());
        Hdf5Images.Shape shape = Hdf5Images.shape(DIR.resolve("bdv.h5"));
        assertEquals(new Hdf5Images.Shape(40, 30, 1, 3, 1, 16, 4 * 3 * 30 * 40), shape, "without reading the pixels");
    }

    /**
     * Chunks never written read as the dataset's fill value (5), with HDF5's oldest chunk index (a B-tree) and its
     * newest (a fixed array, libver latest) — jhdf's whole read gave 0 for the first and refused the second.
     */
    @Test
    void chunksNeverWrittenAreTheFillValueWithEitherChunkIndex() throws IOException {
        for (String name : new String[] {"chunked.h5", "chunked-latest.h5"}) {
            Hdf5Images.Image image =
                    Hdf5Images.read(Path.of("src/test/resources/org/cnnj/io").resolve(name));
            assertArrayEquals(new int[] {45, 50, 7}, new int[] {image.width(), image.height(), image.slices()});
            short[] first = (short[]) image.planes()[0], last = (short[]) image.planes()[6];
            assertEquals(5, first[15 * 45 + 15], name + ": in the chunk never written");
            assertEquals(16, first[16], name + ": beside it");
            assertEquals(44 + 45 * 49 + 2250 * 6, last[49 * 45 + 44] & 0xffff, name + ": the last voxel");
        }
    }

    @Test
    void filesWhoseImageCannotBeToldAreRefusedByName() {
        IOException views = assertThrows(IOException.class, () -> Hdf5Images.read(DIR.resolve("bdv-two.h5")));
        assertTrue(
                views.getMessage().contains("bdv-two.h5")
                        && views.getMessage().contains("BigDataViewer")
                        && views.getMessage().contains("/t00000/s01/0/cells"),
                views.getMessage());
        IOException two = assertThrows(IOException.class, () -> Hdf5Images.read(DIR.resolve("two.h5")));
        assertTrue(two.getMessage().contains("/a, /b") && two.getMessage().contains("/data"), two.getMessage());
    }

    /** Damaged anywhere — bytes changed, cut short — only an IOException naming the file. */
    @Test
    void anyDamageIsAnIOExceptionNamingTheFile() throws Exception {
        for (String name : new String[] {"ilastik4ij.h5", "bdv.h5"})
            Damaged.readOrNamed(
                    Damaged.copies(Files.readAllBytes(DIR.resolve(name)), 300, 3, 8, 5),
                    tmp.resolve("bad.h5"),
                    Hdf5Images::read);
    }
}
