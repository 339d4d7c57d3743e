package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HDF5 images read box by box (make_hdf5_block_fixtures.py, make_hdf5_image_fixtures.py): every value of random boxes
 * against what was written, across chunk borders, in unwritten chunks, in the byte order and type the file stores.
 */
class Hdf5VolumeTest {
    private static final Path IMAGES = Path.of("src/test/resources/org/cnnj/ij/hdf5");
    private static final Path CHUNKED = Path.of("src/test/resources/org/cnnj/io/chunked.h5");
    /** The same in HDF5's newest file format: a fixed-array chunk index, not a B-tree. */
    private static final Path CHUNKED_LATEST = Path.of("src/test/resources/org/cnnj/io/chunked-latest.h5");

    @TempDir
    Path tmp;

    /**
     * Big-endian uint16 in chunks of (3, 16, 16), edge chunks partly outside the array, the first chunk never written
     * (the fill value, 5): 300 random boxes and the whole volume, every value; with either chunk index.
     */
    @Test
    void boxesAcrossChunksReadWhatWasWritten() throws IOException {
        for (Path file : new Path[] {CHUNKED, CHUNKED_LATEST}) boxesAcrossChunksReadWhatWasWritten(file);
    }

    private static void boxesAcrossChunksReadWhatWasWritten(Path file) throws IOException {
        try (Hdf5Volume v = Hdf5Volume.open(file)) {
            assertArrayEquals(new long[] {7, 50, 45, 1}, new long[] {v.depth(), v.height(), v.width(), v.channels()});
            assertArrayEquals(new int[] {3, 16, 16}, v.chunk());
            Random random = new Random(1);
            for (int trial = 0; trial <= 300; trial++) {
                long[] corner = trial == 0
                        ? new long[3]
                        : new long[] {random.nextInt(7), random.nextInt(50), random.nextInt(45)};
                int[] size = trial == 0
                        ? new int[] {7, 50, 45}
                        : new int[] {
                            1 + random.nextInt(7 - (int) corner[0]),
                            1 + random.nextInt(50 - (int) corner[1]),
                            1 + random.nextInt(45 - (int) corner[2])
                        };
                float[] box = v.read(0, corner, size);
                for (int z = 0, i = 0; z < size[0]; z++)
                    for (int y = 0; y < size[1]; y++)
                        for (int x = 0; x < size[2]; x++, i++) {
                            long gz = corner[0] + z, gy = corner[1] + y, gx = corner[2] + x;
                            float want = gz < 3 && gy < 16 && gx < 16 ? 5 : gx + 45 * gy + 2250 * gz;
                            assertEquals(want, box[i], file + " box " + trial + " at z" + gz + " y" + gy + " x" + gx);
                        }
            }
        }
    }

    /**
     * The box reader and the whole-image reader agree on every image the tools write: ilastik4ij's five axes (channel
     * 1 of the first frame), h5py's (z, y, x) and (y, x, 3), float32, BigDataViewer's signed shorts read unsigned.
     */
    @Test
    void everyToolsLayoutReadsAsTheWholeImageReaderReadsIt() throws IOException {
        for (String name : new String[] {"ilastik4ij.h5", "raw-zyx.h5", "rgb.h5", "float_Probabilities.h5", "bdv.h5"}) {
            Hdf5Images.Image whole = Hdf5Images.read(IMAGES.resolve(name));
            try (Hdf5Volume v = Hdf5Volume.open(IMAGES.resolve(name))) {
                assertArrayEquals(
                        new long[] {whole.slices(), whole.height(), whole.width(), whole.channels(), whole.frames()},
                        new long[] {v.depth(), v.height(), v.width(), v.channels(), v.frames()},
                        name);
                for (int c = 0; c < v.channels(); c++) {
                    float[] box = v.read(c, new long[] {0, 5, 7}, new int[] {whole.slices(), 20, 31});
                    for (int z = 0, i = 0; z < whole.slices(); z++)
                        for (int y = 5; y < 25; y++)
                            for (int x = 7; x < 38; x++, i++)
                                assertEquals(
                                        at(whole.planes()[z * whole.channels() + c], y * 40 + x),
                                        box[i],
                                        name + " c" + c + " z" + z + " y" + y + " x" + x);
                }
            }
        }
        try (Hdf5Volume bdv = Hdf5Volume.open(IMAGES.resolve("bdv.h5"))) {
            assertArrayEquals(new double[] {2.0, 0.5, 0.5}, bdv.voxel(), "z, y, x from the XML beside it");
            assertEquals("µm", bdv.unit());
        }
    }

    private static float at(Object plane, int i) {
        if (plane instanceof byte[] b) return b[i] & 0xff;
        if (plane instanceof short[] s) return s[i] & 0xffff;
        return ((float[]) plane)[i];
    }

    /**
     * Images the whole-image reader refuses (a 46000² plane of 4 GB; 3 of them, more values than one Java array) are
     * read box by box: only the chunks a box touches (none written here: zeros).
     */
    @Test
    void imagesBeyondOneReadAreReadInBoxes() throws IOException {
        assertThrows(IOException.class, () -> Hdf5Images.read(IMAGES.resolve("huger.h5")));
        try (Hdf5Volume v = Hdf5Volume.open(IMAGES.resolve("huger.h5"))) {
            assertArrayEquals(new long[] {3, 46000, 46000}, new long[] {v.depth(), v.height(), v.width()});
            float[] corner = v.read(0, new long[] {1, 45000, 45900}, new int[] {2, 1000, 100});
            assertEquals(200_000, corner.length);
            for (float f : corner) assertEquals(0, f);
        }
    }

    /**
     * A file of several views, time points or levels (BigDataViewer's): the one named is read, its voxel size that
     * view's in the XML (by its id) times that level's down-sampling; a name the file does not hold lists those it does.
     */
    @Test
    void aNamedDatasetIsReadWithItsViewsAndLevelsVoxelSize() throws IOException {
        Path two = tmp.resolve("two-views.h5");
        Files.copy(IMAGES.resolve("bdv-two.h5"), two);
        Files.writeString(
                tmp.resolve("two-views.xml"),
                "<SpimData><SequenceDescription><ViewSetups>"
                        + "<ViewSetup><id>0</id><name>a</name><voxelSize><unit>um</unit><size>0.5 0.5 2</size></voxelSize></ViewSetup>"
                        + "<ViewSetup><id>1</id><name>b</name><voxelSize><unit>um</unit><size>0.4 0.4 1.5</size></voxelSize></ViewSetup>"
                        + "</ViewSetups></SequenceDescription></SpimData>");
        try (Hdf5Volume v = Hdf5Volume.open(two, "/t00000/s01/0/cells")) {
            float[] box = v.read(0, new long[] {2, 29, 39}, new int[] {1, 1, 1});
            assertEquals(39 + 40 * 29 + 3000 * 2 + 30000 + 100, box[0], "view 1's values");
            assertArrayEquals(new double[] {1.5, 0.4, 0.4}, v.voxel(), "view 1's voxel size, z, y, x");
            assertEquals("µm", v.unit());
        }
        try (Hdf5Volume level1 = Hdf5Volume.open(IMAGES.resolve("bdv.h5"), "t00000/s00/1/cells")) {
            assertArrayEquals(new long[] {3, 15, 20}, new long[] {level1.depth(), level1.height(), level1.width()});
            assertEquals(2 * 2 + 40 * 2 * 3 + 30000, level1.read(0, new long[] {0, 3, 2}, new int[] {1, 1, 1})[0]);
            assertArrayEquals(new double[] {2, 1, 1}, level1.voxel(), "level 1: x and y down-sampled by 2");
        }
        IOException e = assertThrows(IOException.class, () -> Hdf5Volume.open(two, "/t00001/s00/0/cells"));
        assertTrue(
                e.getMessage().contains("holds no image array /t00001/s00/0/cells")
                        && e.getMessage().contains("/t00000/s01/0/cells"),
                e.getMessage());
        assertThrows(IOException.class, () -> Hdf5Volume.open(two), "two views, none named: refused");
    }

    @Test
    void aBoxOutsideTheImageIsRefusedWithItsAxis() throws IOException {
        try (Hdf5Volume v = Hdf5Volume.open(CHUNKED)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> v.read(0, new long[] {0, 40, 0}, new int[] {1, 11, 45}));
            assertTrue(e.getMessage().contains("chunked.h5") && e.getMessage().contains("y [40, 51)"), e.getMessage());
        }
    }

    /** Damaged anywhere — bytes changed, cut short — only an IOException naming the file, on opening or reading. */
    @Test
    void anyDamageIsAnIOExceptionNamingTheFile() throws Exception {
        Damaged.readOrNamed(Damaged.copies(Files.readAllBytes(CHUNKED), 300, 3, 8, 11), tmp.resolve("bad.h5"), file -> {
            try (Hdf5Volume v = Hdf5Volume.open(file)) {
                if (v.depth() > 0 && v.height() > 0 && v.width() > 0)
                    v.read(0, new long[3], new int[] {
                        (int) Math.min(7, v.depth()), (int) Math.min(50, v.height()), (int) Math.min(45, v.width())
                    });
            }
        });
    }
}
