package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images are opened as what their first bytes say, whatever their name says. */
class TiffsTest {
    @TempDir
    Path dir;

    @Test
    void aPngOrJpegSavedWithATifNameIsOpenedAsWhatItIs() throws Exception {
        ByteProcessor ip = new ByteProcessor(20, 10);
        ip.set(3, 4, 200);
        ImagePlus imp = new ImagePlus("x", ip);
        Path png = dir.resolve("png.tif"), jpg = dir.resolve("jpg.tif");
        assertTrue(new FileSaver(imp).saveAsPng(png.toString()) && new FileSaver(imp).saveAsJpeg(jpg.toString()));
        assertEquals("PNG", Tiffs.format(png));
        assertEquals("JPEG", Tiffs.format(jpg));
        for (Path f : new Path[] {png, jpg}) {
            ImagePlus back = Tiffs.open(f);
            assertEquals(20, back.getWidth(), f.toString());
            assertEquals(10, back.getHeight(), f.toString());
        }
        assertEquals(200, Tiffs.open(png).getProcessor().get(3, 4), "the pixels, not an empty image");
    }

    @Test
    void anEmptyFileIsNamedAsEmpty() throws Exception {
        Path empty = Files.write(dir.resolve("empty.tif"), new byte[0]);
        var e = assertThrows(IOException.class, () -> Tiffs.open(empty));
        assertTrue(e.getMessage().contains("empty.tif is empty"), e.getMessage());
    }

    /** An OME-TIFF as tifffile writes it (make_ome_tiff_fixture.py): its voxel size is only in the OME-XML. */
    @Test
    void anOmeTiffFromPythonToolsKeepsItsVoxelSize() throws Exception {
        ImagePlus imp = Tiffs.open(Path.of("src/test/resources/org/cnnj/ij/ome/tifffile-zyx.ome.tif"));
        assertEquals(4, imp.getStackSize());
        assertEquals(0.5, imp.getCalibration().pixelWidth, 1e-9);
        assertEquals(0.5, imp.getCalibration().pixelHeight, 1e-9);
        assertEquals(2.2, imp.getCalibration().pixelDepth, 1e-9);
        assertEquals("µm", imp.getCalibration().getUnit());
        assertEquals(4.4, Stacks.volume(imp, 0, null).zRatio(), 1e-9, "the z/xy ratio a 3-D model sees");
    }

    private static final Path FIXTURES = Path.of("src/test/resources/org/cnnj/ij/tiff");

    /** v = 1000 c + 100 z + 3 y + x, as make_tiff_fixtures.py writes every plane. */
    private static void assertPlane(ImagePlus imp, int c, int z, double offset, String what) {
        var ip = imp.getStack().getProcessor(imp.getStackIndex(c + 1, z + 1, 1));
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++)
                assertEquals(1000 * c + 100 * z + 3 * y + x + offset, ip.getf(x, y), 1e-6, what + " at " + x + "," + y);
    }

    /**
     * TIFFs ImageJ 1 refuses, as tifffile writes them (make_tiff_fixtures.py): tiled OME-TIFF with channels stored
     * before slices, a pyramid (its SubIFD level and thumbnail page left out), BigTIFF, 64-bit floats, tiled RGB.
     */
    @Test
    void tiffsImageJCannotOpenAreReadThroughImageIo() throws Exception {
        ImagePlus tiled = Tiffs.open(FIXTURES.resolve("tiled.ome.tif"));
        assertEquals(2, tiled.getNChannels());
        assertEquals(3, tiled.getNSlices());
        assertEquals(16, tiled.getBitDepth());
        for (int c = 0; c < 2; c++)
            for (int z = 0; z < 3; z++)
                assertPlane(tiled, c, z, 0, "tiled, c" + c + " z" + z + " (DimensionOrder XYZCT)");
        assertEquals(0.65, tiled.getCalibration().pixelWidth, 1e-9, "the OME pixel size");

        ImagePlus strips = Tiffs.open(FIXTURES.resolve("channels.ome.tif"));
        assertEquals(2, strips.getNChannels(), "ImageJ's own reader, the OME-XML's channels");
        assertEquals(3, strips.getNSlices());
        for (int c = 0; c < 2; c++)
            for (int z = 0; z < 3; z++) assertPlane(strips, c, z, 0, "strips, c" + c + " z" + z);
        assertEquals(0.65, strips.getCalibration().pixelWidth, 1e-9);

        ImagePlus pyramid = Tiffs.open(FIXTURES.resolve("pyramid.ome.tif"));
        assertEquals(1, pyramid.getStackSize(), "the full-resolution plane only");
        assertPlane(pyramid, 0, 0, 0, "pyramid");

        ImagePlus big = Tiffs.open(FIXTURES.resolve("big.tif"));
        assertEquals(2, big.getStackSize());
        assertPlane(big, 0, 0, 0, "BigTIFF slice 1");
        assertEquals(100 + 3 * 29 + 39, big.getStack().getProcessor(2).getf(39, 29), "BigTIFF slice 2");

        ImagePlus float64 = Tiffs.open(FIXTURES.resolve("float64.tif"));
        assertEquals(32, float64.getBitDepth(), "64-bit floats read as 32-bit");
        assertPlane(float64, 0, 0, 0.25, "float64");

        ImagePlus rgb = Tiffs.open(FIXTURES.resolve("rgb-tiled.tif"));
        assertEquals(24, rgb.getBitDepth(), "8-bit RGB: one RGB plane, as ImageJ opens RGB");
        int[] pixel = rgb.getPixel(7, 5);
        for (int k = 0; k < 3; k++) assertEquals((40 * k + 15 + 7) % 256, pixel[k], "RGB channel " + k);
    }

    @Test
    void aCutTiledTiffIsNamedWithBothReadersReasons() throws Exception {
        byte[] whole = Files.readAllBytes(FIXTURES.resolve("tiled.ome.tif"));
        Path cut = dir.resolve("cut.ome.tif");
        Files.write(cut, Arrays.copyOf(whole, 3000));
        IOException e = assertThrows(IOException.class, () -> Tiffs.open(cut));
        assertTrue(
                e.getMessage().contains("cut.ome.tif is not a readable TIFF")
                        && e.getMessage().contains("tiled"),
                e.getMessage());
    }

    /** Tiled TIFFs damaged anywhere — bytes changed, cut — end in an IOException naming the file, never another one. */
    @Test
    void anyDamageToATiledTiffIsAnIOException() throws Exception {
        for (String name : List.of("tiled.ome.tif", "big.tif", "pyramid.ome.tif"))
            Damaged.readOrNamed(
                    Damaged.copies(Files.readAllBytes(FIXTURES.resolve(name)), 150, 3, 8, 11),
                    dir.resolve("bad-" + name),
                    Tiffs::open);
    }
}
