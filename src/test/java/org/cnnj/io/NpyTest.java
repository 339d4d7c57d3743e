package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NumPy files as Cellpose and NumPy write them (src/test/python/make_cellpose_fixtures.py made them with NumPy 1.24):
 * the GUI's _seg.npy through pickle protocols 2, 3, 4 (NumPy 2's module names) and 5, a Fortran-order array, a plain
 * big-endian array — every value read as Python reads it.
 */
public class NpyTest {
    public static final Path FIXTURES = Path.of("src/test/resources/org/cnnj/io/cellpose");
    static final int H = 30, W = 40;

    @TempDir
    Path dir;

    /** The fixtures' masks: three rectangles (the third on the right edge); in the volume object k skips planes z with (z + k) % 4 == 0. */
    public static int[] masks(int z, boolean planes) {
        int[][] boxes = {{2, 10, 3, 13}, {12, 26, 20, 36}, {0, 6, 30, 40}};
        int[] m = new int[H * W];
        for (int k = 1; k <= 3; k++) {
            if (planes && (z + k) % 4 == 0) continue;
            int[] b = boxes[k - 1];
            for (int y = b[0]; y < b[1]; y++) for (int x = b[2]; x < b[3]; x++) m[y * W + x] = k;
        }
        return m;
    }

    private static Map<?, ?> dict(String file) throws IOException {
        Npy.Array a = Npy.read(FIXTURES.resolve(file));
        assertEquals(0, a.shape().length, "np.save of a dict is a 0-d object array");
        return (Map<?, ?>) a.item();
    }

    private static int[] ints(Npy.Array a) {
        return a.ints(0, (int) a.size());
    }

    @Test
    void cellposeGuiSaveReadAsPythonDoes() throws IOException {
        Map<?, ?> d = dict("gui_seg.npy");
        assertEquals(
                List.of(
                        "outlines",
                        "colors",
                        "masks",
                        "chan_choose",
                        "filename",
                        "flows",
                        "ismanual",
                        "manual_changes",
                        "model_path",
                        "flow_threshold",
                        "cellprob_threshold",
                        "normalize_params",
                        "restore",
                        "ratio",
                        "diameter"),
                List.copyOf(d.keySet()));
        Npy.Array masks = (Npy.Array) d.get("masks");
        assertEquals("u2", masks.type());
        assertArrayEquals(new long[] {H, W}, masks.shape());
        assertArrayEquals(masks(0, false), ints(masks));
        assertEquals("/home/user/cells/cells.png", d.get("filename"));
        assertEquals(30.0, d.get("diameter"));
        assertEquals(0.4, d.get("flow_threshold"));
        assertEquals(0L, d.get("model_path"));
        assertEquals(List.of(0L, 0L), d.get("chan_choose"));
        assertNull(d.get("restore"));
        assertEquals(List.of(), d.get("manual_changes"));
        Npy.Array manual = (Npy.Array) d.get("ismanual");
        assertEquals(List.of(true, false, false), List.of(manual.value(0), manual.value(1), manual.value(2)));
        Map<?, ?> normalize = (Map<?, ?>) d.get("normalize_params");
        assertNull(normalize.get("lowhigh"));
        assertEquals(List.of(1.0, 99.0), normalize.get("percentile"));
        assertEquals(Boolean.TRUE, normalize.get("normalize"));
        List<?> flows = (List<?>) d.get("flows");
        assertEquals(5, flows.size());
        assertArrayEquals(new long[] {1, H, W, 3}, ((Npy.Array) flows.get(0)).shape());
        Npy.Array dydx = (Npy.Array) flows.get(3);
        assertEquals("f4", dydx.type());
        assertEquals(2.0, dydx.value(2L * H * W + 12 * W + 20), "the third flow plane holds the masks as floats");
        assertEquals(List.of(List.of()), flows.get(4));
    }

    @Test
    void volumeSavedWithProtocol5() throws IOException {
        Map<?, ?> d = dict("volume_seg.npy");
        Npy.Array masks = (Npy.Array) d.get("masks");
        assertArrayEquals(new long[] {4, H, W}, masks.shape());
        for (int z = 0; z < 4; z++)
            assertArrayEquals(masks(z, true), masks.ints((long) z * H * W, H * W), "plane " + z);
        assertEquals(Arrays.asList(-1L, null, 2L), d.get("zdraw"), "NumPy int16 scalars and None");
        assertEquals("/home/user/.cellpose/models/cyto3", d.get("model_path"));
        assertEquals(17.5, d.get("diameter"));
        assertEquals("U6", ((Npy.Array) d.get("notes")).type(), "a string array kept as it is");
        assertTrue(d.get("saved") instanceof Unpickler.Opaque, "a date: kept opaque, not a number");
    }

    @Test
    void numpy2NamesFramesAndFortranOrder() throws IOException {
        Map<?, ?> d = dict("notebook_seg.npy");
        Npy.Array masks = (Npy.Array) d.get("masks");
        assertEquals("u4", masks.type());
        assertArrayEquals(masks(0, false), ints(masks), "Fortran-order data put in C order");
        assertEquals(23.4, d.get("est_diam"));
        Npy.Array img = (Npy.Array) d.get("img");
        assertEquals(20.0, img.value(12 * W + 20), "img is masks * 10 as float32");
    }

    @Test
    void protocol2AndPlainArrays() throws IOException {
        Npy.Array legacy = (Npy.Array) dict("legacy_seg.npy").get("masks");
        assertEquals("i4", legacy.type());
        int[] want = masks(0, false);
        for (int i = 0; i < want.length; i++) want[i] -= 1;
        assertArrayEquals(want, ints(legacy), "early Cellpose: -1 is background");
        Npy.Array plain = Npy.read(FIXTURES.resolve("masks_be.npy"));
        assertEquals("u2", plain.type());
        assertArrayEquals(masks(0, false), ints(plain), "big-endian");
    }

    @Test
    void damagedFilesAreNamedWithTheirFault() throws IOException {
        byte[] whole = Files.readAllBytes(FIXTURES.resolve("gui_seg.npy"));
        Path cut = dir.resolve("cut_seg.npy");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        IOException e = assertThrows(IOException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().contains("cut_seg.npy") && e.getMessage().contains("cut short"), e.getMessage());

        Path png = dir.resolve("not.npy");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0});
        e = assertThrows(IOException.class, () -> Npy.read(png));
        assertTrue(e.getMessage().contains("not a NumPy .npy file"), e.getMessage());

        byte[] plain = Files.readAllBytes(FIXTURES.resolve("masks_be.npy"));
        Path shortArray = dir.resolve("short.npy");
        Files.write(shortArray, Arrays.copyOf(plain, plain.length - 2));
        e = assertThrows(IOException.class, () -> Npy.read(shortArray));
        assertTrue(e.getMessage().contains("needs 2400 bytes but holds 2398"), e.getMessage());
    }

    /**
     * Damaged files of every kind — bytes changed anywhere, cut anywhere — end in an IOException naming the file, never
     * another exception (which would reach a Fiji user as a stack trace) and never a hang.
     */
    @Test
    void anyDamageIsAnIOExceptionNamingTheFile() throws IOException {
        for (String name : List.of("gui_seg.npy", "volume_seg.npy", "notebook_seg.npy", "legacy_seg.npy"))
            Damaged.readOrNamed(
                    Damaged.copies(Files.readAllBytes(FIXTURES.resolve(name)), 300, 3, 128, 7),
                    dir.resolve("bad_seg.npy"),
                    Npy::read);
    }
}
