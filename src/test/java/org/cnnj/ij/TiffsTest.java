package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        assertPlane(Tiffs.open(FIXTURES.resolve("float64-strips.tif")), 0, 0, 0.25, "float64 in strips of 7 rows");

        ImagePlus rgb = Tiffs.open(FIXTURES.resolve("rgb-tiled.tif"));
        assertEquals(24, rgb.getBitDepth(), "8-bit RGB: one RGB plane, as ImageJ opens RGB");
        int[] pixel = rgb.getPixel(7, 5);
        for (int k = 0; k < 3; k++) assertEquals((40 * k + 15 + 7) % 256, pixel[k], "RGB channel " + k);
    }

    /** R = 2 x, G = 2 y + 20, B = 200, a dark disk (60, 40, 90) of radius 18 at (48, 40): make_slide_fixtures.py. */
    private static int[] slidePixel(int x, int y) {
        return (y - 40) * (y - 40) + (x - 48) * (x - 48) < 18 * 18
                ? new int[] {60, 40, 90}
                : new int[] {2 * x, 2 * y + 20, 200};
    }

    /**
     * JPEG-compressed tiled slides as scanners and exporters write them (make_slide_fixtures.py): an Aperio SVS layout
     * (libtiff's abbreviated JPEG tiles with shared JPEGTables, YCbCr 4:2:0; thumbnail, half-size level, label and macro
     * pages after it) and Bio-Formats' (QuPath's OME-TIFF export: a whole JFIF stream per tile, Photometric RGB, a
     * SubIFD level). JPEG is lossy, so the pixels are compared with what was encoded within its error (PIL, through
     * libtiff, reads the same files with mean error 1.45).
     */
    @Test
    void jpegTiledSlidesAsScannersAndQuPathWriteThemAreRead() throws Exception {
        for (String name : List.of("aperio.svs", "bioformats-jpeg.ome.tif")) {
            ImagePlus imp = Tiffs.open(FIXTURES.resolve(name));
            assertEquals(24, imp.getBitDepth(), name + ": one RGB plane");
            assertEquals(96, imp.getWidth(), name);
            assertEquals(80, imp.getHeight(), name);
            assertEquals(1, imp.getStackSize(), name + ": the full-resolution page only");
            double error = 0;
            for (int y = 0; y < 80; y++)
                for (int x = 0; x < 96; x++) {
                    int[] got = imp.getPixel(x, y), want = slidePixel(x, y);
                    for (int k = 0; k < 3; k++) error += Math.abs(got[k] - want[k]);
                }
            error /= 80 * 96 * 3;
            assertTrue(error < 3, name + ": mean error " + error + " (a colour-space or tile-order mistake is > 20)");
            int[] inDisk = imp.getPixel(48, 40).clone(), corner = imp.getPixel(90, 75); // (getPixel reuses its array)
            assertEquals(60, inDisk[0], 6, name + " disk red");
            assertEquals(180, corner[0], 6, name + " corner red");
            assertEquals(170, corner[1], 6, name + " corner green");
        }
        assertEquals(0.499, Tiffs.open(FIXTURES.resolve("aperio.svs")).getCalibration().pixelWidth, 1e-9, "Aperio MPP");
        ImagePlus qupath = Tiffs.open(FIXTURES.resolve("bioformats-jpeg.ome.tif"));
        assertEquals(0.25, qupath.getCalibration().pixelWidth, 1e-9, "the OME pixel size");
        assertEquals("µm", qupath.getCalibration().getUnit());
    }

    /** A 16-bit instance label image in LZW tiles (QuPath's labelled export): every id exact, 300 beyond 8 bits. */
    @Test
    void anLzwTiledLabelImageIsReadExactly() throws Exception {
        ImagePlus labels = LabelImages.open(FIXTURES.resolve("labels-lzw.ome.tif"));
        assertEquals(16, labels.getBitDepth());
        var ip = labels.getProcessor();
        int[] count = new int[301];
        for (int y = 0; y < 80; y++) for (int x = 0; x < 96; x++) count[(int) ip.getf(x, y)]++;
        assertEquals(20 * 20, count[1]);
        assertEquals(30 * 40, count[2]);
        assertEquals(8 * 5, count[300]);
        assertEquals(80 * 96 - 400 - 1200 - 40, count[0]);
        assertEquals(300, ip.getf(5, 33));
    }

    /** Pages decoded a band of rows at a time (here a tile's or a strip's height) give exactly the whole page's pixels. */
    @Test
    void readingInBandsOfRowsGivesTheSamePixels() throws Exception {
        for (String name : List.of(
                "tiled.ome.tif",
                "big.tif",
                "float64-strips.tif",
                "rgb-tiled.tif",
                "aperio.svs",
                "labels-lzw.ome.tif")) {
            ImagePlus whole = ImageIoTiffs.open(FIXTURES.resolve(name), Long.MAX_VALUE),
                    rows = ImageIoTiffs.open(FIXTURES.resolve(name), 1);
            assertEquals(whole.getStackSize(), rows.getStackSize(), name);
            for (int i = 1; i <= whole.getStackSize(); i++) {
                var a = whole.getStack().getProcessor(i);
                var b = rows.getStack().getProcessor(i);
                for (int p = 0; p < a.getPixelCount(); p++)
                    assertEquals(a.get(p), b.get(p), name + " plane " + i + " pixel " + p);
            }
        }
    }

    /**
     * An image larger than the heap is refused before any of it is read, with what it needs and the fix — not an
     * OutOfMemoryError in Fiji. The file (built here: 16 pages of 46,000² RGB in 1024² tiles, about 135 GB in memory)
     * has headers only.
     */
    @Test
    void anImageLargerThanTheHeapIsRefusedBeforeItIsRead() throws Exception {
        int side = 46_000, tile = 1024, tiles = (side + tile - 1) / tile * ((side + tile - 1) / tile), pages = 16;
        int offsetsAt = 16, countsAt = offsetsAt + 4 * tiles, ifdAt = countsAt + 4 * tiles, ifdSize = 2 + 11 * 12 + 4;
        var b = ByteBuffer.allocate(ifdAt + pages * ifdSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifdAt);
        b.putShort(8, (short) 8).putShort(10, (short) 8).putShort(12, (short) 8);
        for (int t = 0; t < tiles; t++) b.putInt(offsetsAt + 4 * t, 8).putInt(countsAt + 4 * t, tile * tile * 3);
        b.position(ifdAt);
        int[][] entries = { // tag, type (3 SHORT, 4 LONG), count, value or offset
            {256, 4, 1, side},
            {257, 4, 1, side},
            {258, 3, 3, 8},
            {259, 3, 1, 1},
            {262, 3, 1, 2},
            {277, 3, 1, 3},
            {284, 3, 1, 1},
            {322, 3, 1, tile},
            {323, 3, 1, tile},
            {324, 4, tiles, offsetsAt},
            {325, 4, tiles, countsAt}
        };
        for (int page = 0; page < pages; page++) {
            b.putShort((short) entries.length);
            for (int[] e : entries) {
                b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
                if (e[1] == 3 && e[2] == 1) b.putShort((short) e[3]).putShort((short) 0);
                else b.putInt(e[3]);
            }
            b.putInt(page + 1 < pages ? b.position() + 4 : 0);
        }
        Path huge = Files.write(dir.resolve("huge.tif"), b.array());
        IOException e = assertThrows(IOException.class, () -> Tiffs.open(huge));
        assertTrue(
                e.getMessage().contains("huge.tif is 46000 × 46000 pixels × 16 planes")
                        && e.getMessage().contains("GB to read")
                        && e.getMessage().contains("are free")
                        && !e.getMessage().contains("not a readable TIFF")
                        && e.getMessage().contains("Memory & Threads"),
                e.getMessage());
    }

    private static final Path HDF5 = Path.of("src/test/resources/org/cnnj/ij/hdf5");

    /** HDF5 images (Hdf5ImagesTest reads every pixel) open as ImageJ hyperstacks, calibrated where the file says. */
    @Test
    void hdf5ImagesOpenAsHyperstacks() throws Exception {
        ImagePlus imp = Tiffs.open(HDF5.resolve("ilastik4ij.h5"));
        assertArrayEquals(new int[] {40, 30, 2, 3, 2}, imp.getDimensions());
        assertEquals(16, imp.getBitDepth());
        assertTrue(imp.isHyperStack());
        imp.setPosition(2, 3, 2); // channel 2, slice 3, frame 2
        assertEquals(
                5 + 40 * 7 + 1200 + 3000 * 2 + 10000 + 20000, imp.getProcessor().getPixel(5, 7));
        assertArrayEquals(new int[] {40, 30}, Tiffs.size(HDF5.resolve("ilastik4ij.h5")));
        ImagePlus bdv = Tiffs.open(HDF5.resolve("bdv.h5"));
        assertEquals(2.0, bdv.getCalibration().pixelDepth);
        assertEquals(0.5, bdv.getCalibration().pixelWidth);
        assertEquals("µm", bdv.getCalibration().getUnit());
        IOException e = assertThrows(IOException.class, () -> Tiffs.open(HDF5.resolve("huge.h5")));
        assertTrue(
                e.getMessage().contains("huge.h5 is 46000 × 46000 pixels, 12.7 GB to read")
                        && e.getMessage().contains("Memory & Threads"),
                e.getMessage());
        e = assertThrows(IOException.class, () -> Tiffs.open(HDF5.resolve("huger.h5")));
        assertTrue(
                e.getMessage().contains("huger.h5: /data holds 6348000000 values")
                        && e.getMessage().contains("segment-blocks"),
                e.getMessage());
    }

    /**
     * One damaged byte in the ImageDescription's count (2 billion characters) made ImageJ's own reader exhaust the heap
     * (found by the fuzz test below); such a count is refused, naming the file and the tag, before any reader runs.
     */
    @Test
    void aTagCountLargerThanTheFileIsRefusedBeforeAnyReaderRuns() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(FIXTURES.resolve("channels.ome.tif")))
                .order(ByteOrder.LITTLE_ENDIAN);
        int ifd = b.getInt(4), entries = b.getShort(ifd) & 0xffff, patched = 0;
        for (int i = 0; i < entries; i++) {
            int at = ifd + 2 + 12 * i;
            if ((b.getShort(at) & 0xffff) == 270) {
                b.putInt(at + 4, 0x7fff_fff0);
                patched++;
            }
        }
        assertEquals(1, patched, "the fixture's first page has a description");
        Path bad = Files.write(dir.resolve("bad-count.ome.tif"), b.array());
        IOException e = assertThrows(IOException.class, () -> Tiffs.open(bad));
        assertTrue(e.getMessage().contains("bad-count.ome.tif is damaged: its tag 270 says"), e.getMessage());
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
        for (String name : List.of("tiled.ome.tif", "big.tif", "pyramid.ome.tif", "aperio.svs", "labels-lzw.ome.tif"))
            Damaged.readOrNamed(
                    Damaged.copies(Files.readAllBytes(FIXTURES.resolve(name)), 150, 3, 8, 11),
                    dir.resolve("bad-" + name),
                    Tiffs::open);
    }
}
