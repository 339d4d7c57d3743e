package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HDF5 label images as ilastik exports them and as h5py saves them (make_ilastik_fixtures.py). */
class Hdf5LabelsTest {
    private static final Path DIR = Path.of("src/test/resources/org/cnnj/ij/hdf5");

    @TempDir
    Path tmp;

    /** Object 1 = rows 2-9 x cols 3-12, object {@code big} = rows 12-25 x cols 20-35, on a 40 x 30 plane. */
    private static void assertObjects(int[] plane, int one, int big, String what) {
        assertEquals(40 * 30, plane.length, what);
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++) {
                int want =
                        y >= 2 && y < 10 && x >= 3 && x < 13 ? one : y >= 12 && y < 26 && x >= 20 && x < 36 ? big : 0;
                assertEquals(want, plane[y * 40 + x], what + " at " + x + "," + y);
            }
    }

    @Test
    void ilastiksObjectIdentitiesInGzipChunksWithItsAxistags() throws Exception {
        Hdf5Labels.Volume v = Hdf5Labels.read(DIR.resolve("cells_Object Identities.h5"));
        assertEquals(40, v.width());
        assertEquals(30, v.height());
        assertEquals(1, v.planes().length, "axes y, x, c: one plane");
        assertObjects(v.planes()[0], 1, 70000, "uint32 ids beyond 16 bits");
    }

    @Test
    void aStackInLzfChunksBecomesPlanes() throws Exception {
        Hdf5Labels.Volume v = Hdf5Labels.read(DIR.resolve("stack_Object Identities.h5"));
        assertEquals(3, v.planes().length, "axes z, y, x, c");
        for (int z = 0; z < 3; z++) assertObjects(v.planes()[z], z + 1, 2 * (z + 1), "plane " + z);
    }

    @Test
    void axesStoredAsXyAreTransposedAndArraysWithoutAxistagsAreYx() throws Exception {
        assertObjects(Hdf5Labels.read(DIR.resolve("xy-order.h5")).planes()[0], 1, 2, "axistags x, y");
        assertObjects(Hdf5Labels.read(DIR.resolve("plain.h5")).planes()[0], 1, 2, "int64 'labels', no axistags");
    }

    @Test
    void probabilitiesAndAmbiguousFilesAreRefusedByName() {
        IOException p = assertThrows(IOException.class, () -> Hdf5Labels.read(DIR.resolve("probabilities.h5")));
        assertTrue(
                p.getMessage().contains("probabilities.h5") && p.getMessage().contains("Object Identities"),
                p.getMessage());
        IOException two = assertThrows(IOException.class, () -> Hdf5Labels.read(DIR.resolve("two.h5")));
        assertTrue(two.getMessage().contains("/a, /b") && two.getMessage().contains("exported_data"), two.getMessage());
    }

    /** Damaged anywhere — bytes changed, cut short — only an IOException naming the file. */
    @Test
    void anyDamageIsAnIOExceptionNamingTheFile() throws Exception {
        for (String name : new String[] {"cells_Object Identities.h5", "stack_Object Identities.h5"})
            Damaged.readOrNamed(
                    Damaged.copies(Files.readAllBytes(DIR.resolve(name)), 300, 3, 8, 5),
                    tmp.resolve("bad.h5"),
                    Hdf5Labels::read);
    }
}
