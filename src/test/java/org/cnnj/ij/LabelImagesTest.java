package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.cnnj.det.AnnotatedImage;
import org.cnnj.io.NpyTest;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.testing.Damaged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cellpose's {@code X_seg.npy} beside an image is its label image for every command that trains or measures: 2-D and
 * 3-D segmentation, detection, ground truth. The files are NumPy's own (see {@link NpyTest}).
 */
class LabelImagesTest {
    private static final int W = 40, H = 30;

    @TempDir
    Path dir;

    private static int[] pixels(ImagePlus imp, int slice) {
        var ip = imp.getStack().getProcessor(slice);
        int[] out = new int[ip.getPixelCount()];
        for (int i = 0; i < out.length; i++) out[i] = (int) ip.getf(i);
        return out;
    }

    @Test
    void cellposeFilesOpenAsLabelImages() throws IOException {
        for (String name : List.of("gui_seg.npy", "notebook_seg.npy", "legacy_seg.npy", "masks_be.npy")) {
            ImagePlus imp = LabelImages.open(NpyTest.FIXTURES.resolve(name));
            assertEquals(W, imp.getWidth(), name);
            assertEquals(H, imp.getHeight(), name);
            assertEquals(16, imp.getBitDepth(), name);
            assertArrayEquals(NpyTest.masks(0, false), pixels(imp, 1), name + ": legacy -1 background read as 0");
        }
        ImagePlus volume = LabelImages.open(NpyTest.FIXTURES.resolve("volume_seg.npy"));
        assertEquals(4, volume.getStackSize());
        for (int z = 0; z < 4; z++) assertArrayEquals(NpyTest.masks(z, true), pixels(volume, z + 1), "plane " + z);
    }

    @Test
    void floatArraysAreRefusedWithTheFix() throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        header += " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        Path f = dir.resolve("probabilities.npy");
        Files.write(f, b.array());
        IOException e = assertThrows(IOException.class, () -> LabelImages.open(f));
        assertTrue(
                e.getMessage().contains("probabilities.npy holds f4 values")
                        && e.getMessage().contains("astype"),
                e.getMessage());
    }

    private Path image(String name, int planes) throws IOException {
        ImageStack stack = new ImageStack(W, H);
        for (int z = 0; z < planes; z++) {
            ByteProcessor p = new ByteProcessor(W, H);
            for (int i = 0; i < W * H; i++) p.set(i, 20 + NpyTest.masks(z, planes > 1)[i] * 60);
            stack.addSlice(p);
        }
        Path file = dir.resolve(name);
        Tiffs.save(new ImagePlus(name, stack), file);
        return file;
    }

    private void seg(String fixture, String as) throws IOException {
        Files.copy(NpyTest.FIXTURES.resolve(fixture), dir.resolve(as), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void besideItsImageItIsTheTruthForSegmentationAndDetection() throws IOException {
        Path cells = image("cells.tif", 1);
        seg("gui_seg.npy", "cells_seg.npy");
        assertArrayEquals(NpyTest.masks(0, false), TrainSegmentationFiles.objectLabels(cells));
        assertArrayEquals(
                NpyTest.masks(0, false), TrainSegmentationFiles.objectLabels(cells, BoxAnnotations.Format.LABELS));
        assertNull(
                TrainSegmentationFiles.objectLabels(cells, BoxAnnotations.Format.ROIS),
                "bench accuracy --annotations rois: no ROI zip, no truth");
        assertEquals(1, TrainSegmentationFiles.load(dir, null).size());

        List<AnnotatedImage> boxes = TrainDetectorFiles.load(dir, dir, List.of("object"));
        assertEquals(1, boxes.size());
        assertArrayEquals(
                new float[] {3, 2, 13, 10, 20, 12, 36, 26, 30, 0, 40, 6},
                boxes.get(0).boxes(),
                "one box per Cellpose mask (x0, y0, x1, y1)");
    }

    @Test
    void aStackBesideItsVolumeSave() throws IOException {
        image("stack.tif", 4);
        seg("volume_seg.npy", "stack_seg.npy");
        List<LabeledVolume> data = VolumeFiles.load(dir, null, null);
        assertEquals(1, data.size());
        int[] labels = data.get(0).labels();
        for (int z = 0; z < 4; z++) {
            int[] plane = new int[W * H];
            System.arraycopy(labels, z * W * H, plane, 0, W * H);
            assertArrayEquals(NpyTest.masks(z, true), plane, "plane " + z);
        }
    }

    private static final Path ILASTIK = Path.of("src/test/resources/org/cnnj/ij/hdf5");

    /** ilastik's Object Identities beside its image, as its export names it: the truth for training and detection. */
    @Test
    void ilastiksExportBesideItsImageIsItsLabelImage() throws IOException {
        Path cells = image("cells.tif", 1);
        Files.copy(ILASTIK.resolve("cells_Object Identities.h5"), dir.resolve("cells_Object Identities.h5"));
        assertArrayEquals(twoObjects(70000, 1), TrainSegmentationFiles.objectLabels(cells), "uint32 ids");
        assertEquals(1, TrainSegmentationFiles.load(dir, null).size());
        assertEquals(
                2, TrainDetectorFiles.load(dir, dir, List.of("object")).get(0).boxes().length / 4);
    }

    /** Both in HDF5: the image as h5py or ilastik saves it, its Object Identities beside it; the export is no image. */
    @Test
    void anHdf5ImageWithIlastiksExportBesideItTrains() throws IOException {
        Files.copy(ILASTIK.resolve("float_Probabilities.h5"), dir.resolve("cells.h5"));
        Files.copy(ILASTIK.resolve("cells_Object Identities.h5"), dir.resolve("cells_Object Identities.h5"));
        var pairs = TrainSegmentationFiles.load(dir, null);
        assertEquals(1, pairs.size(), "cells.h5 and its labels; the export beside it is not a second image");
        assertArrayEquals(twoObjects(70000, 1), TrainSegmentationFiles.objectLabels(dir.resolve("cells.h5")));
    }

    @Test
    void ilastiksStackExportIsAVolumesLabels() throws IOException {
        image("stack.tif", 3);
        Files.copy(ILASTIK.resolve("stack_Object Identities.h5"), dir.resolve("stack_Object Identities.h5"));
        int[] labels = VolumeFiles.load(dir, null, null).get(0).labels();
        for (int z = 0; z < 3; z++)
            assertArrayEquals(
                    twoObjects(2, z + 1), Arrays.copyOfRange(labels, z * W * H, (z + 1) * W * H), "plane " + z);
    }

    private static final Path TIFFS = Path.of("src/test/resources/org/cnnj/ij/tiff");

    /** make_tiff_fixtures.py's label objects: 1 in rows 2-9 x cols 3-12, {@code second} in rows 12-25 x cols 20-35. */
    private static int[] twoObjects(int second, int times) {
        int[] m = new int[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                if (y >= 2 && y < 10 && x >= 3 && x < 13) m[y * W + x] = times;
                if (y >= 12 && y < 26 && x >= 20 && x < 36) m[y * W + x] = second * times;
            }
        return m;
    }

    /**
     * Label TIFFs as Python code writes them: NumPy's default int64 (ImageJ and ImageIO read no 64-bit integers),
     * deflate, a 3-plane stack tifffile stored as one page of 3 samples, BigTIFF uint64, and signed 16-bit — which
     * ImageJ keeps offset by 32,768, so its background read as object 32,768 before.
     */
    @Test
    void labelTiffsFromPythonKeepTheirIds() throws IOException {
        assertArrayEquals(twoObjects(70000, 1), pixels(LabelImages.open(TIFFS.resolve("labels-int64.tif")), 1));
        ImagePlus stack = LabelImages.open(TIFFS.resolve("labels-int64-zlib.tif"));
        assertEquals(3, stack.getStackSize());
        for (int z = 0; z < 3; z++) assertArrayEquals(twoObjects(2, z + 1), pixels(stack, z + 1), "plane " + z);
        assertArrayEquals(twoObjects(2, 1), pixels(LabelImages.open(TIFFS.resolve("labels-uint64-big.tif")), 1));
        assertArrayEquals(twoObjects(2, 1), pixels(LabelImages.open(TIFFS.resolve("labels-int16.tif")), 1));

        Path cells = image("cells.tif", 1);
        Files.copy(TIFFS.resolve("labels-int16.tif"), dir.resolve("cells-labels.tif"));
        assertArrayEquals(twoObjects(2, 1), TrainSegmentationFiles.objectLabels(cells), "as training reads it");
    }

    @Test
    void anyDamageToA64BitTiffIsAnIOException() throws IOException {
        Damaged.readOrNamed(
                Damaged.copies(Files.readAllBytes(TIFFS.resolve("labels-int64-zlib.tif")), 300, 3, 8, 5),
                dir.resolve("bad-labels.tif"),
                LabelImages::open);
    }
}
