package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnj.ij.Tiffs;
import org.cnnj.io.Hdf5Images;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.seg.SyntheticVolumes;
import org.cnnj.seg.VolumeSegmenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One image segmented in blocks on Spark (local[2]) equals the same image segmented whole on one machine: the same
 * objects (AP@0.5 between the two ≥ 0.99), objects cut by block borders neither doubled nor cut, every object once in
 * the table, and the OME-Zarr labels readable back.
 */
class BlockSegmentationTest {

    @TempDir
    Path dir;

    /** At the model's own object size the blocks give exactly the whole image's objects. */
    @Test
    void blocksGiveTheObjectsOfTheWholeImage() throws Exception {
        InstanceMatching.Result m = compare("16.4");
        assertEquals(0, m.falsePositives() + m.falseNegatives());
        assertTrue(m.meanMatchedIou() > 0.999, "mean IoU " + m.meanMatchedIou());
    }

    /**
     * Resized (objects of 14 px for a model of 16.4 px), each block is resampled on the whole image's grid: the same
     * objects as the whole image resized at once. (Each block resampled on its own grid, a fraction of a pixel off the
     * whole image's, gave precision 0.989, recall 0.993.)
     */
    @Test
    void resizedBlocksGiveTheObjectsOfTheWholeImage() throws Exception {
        InstanceMatching.Result m = compare("14");
        assertEquals(
                0, m.falsePositives() + m.falseNegatives(), "precision " + m.precision() + " recall " + m.recall());
        assertTrue(m.meanMatchedIou() > 0.999, "mean IoU " + m.meanMatchedIou());
    }

    /**
     * The image as tiles of a stitching (Fiji's TileConfiguration.txt, 400 px tiles overlapping by 50 px): blocks that
     * cross tiles give the whole image's objects too.
     */
    @Test
    void aFolderOfTilesGivesTheObjectsOfTheWholeImage() throws Exception {
        InstanceMatching.Result m = compare("16.4", true);
        assertEquals(0, m.falsePositives() + m.falseNegatives());
        assertTrue(m.meanMatchedIou() > 0.999, "mean IoU " + m.meanMatchedIou());
    }

    InstanceMatching.Result compare(String diameter) throws Exception {
        return compare(diameter, false);
    }

    InstanceMatching.Result compare(String diameter, boolean tiles) throws Exception {
        int w = 1000, h = 760;
        SyntheticNuclei.Sample s = SyntheticNuclei.generate(7, w, h);
        Path input = dir.resolve("image.ome.zarr");
        ZarrArray a = OmeZarr.write(input, s.image(), new long[] {h, w}, new int[] {256, 256}, 1, "<u2");
        float[] pixels = a.readPlane(new long[0], 0, 0, h, w);
        if (tiles) input = TileMosaicTest.writeTiles(dir.resolve("tiles"), pixels, w, h, 400, 50, 0);

        int[] whole;
        try (Segmenter seg = Segmenter.open(Path.of("nuclei (built-in)"), Device.CPU)) {
            whole = seg.segment(
                            new float[][] {pixels},
                            w,
                            h,
                            Segmenter.Request.defaults().withDiameter(Diameter.parse(diameter)),
                            Segmenter.Feedback.NONE)
                    .objects();
        }
        Path out = dir.resolve("out");
        BlockSegmentation.Outcome o = BlockSegmentation.run(
                new ArrayList<>(List.of(
                        "--model",
                        "nuclei (built-in)",
                        "--input",
                        input.toString(),
                        "--output",
                        out.toString(),
                        "--block",
                        "300",
                        "--chunk",
                        "256",
                        "--diameter",
                        diameter)),
                new SparkBatch.Settings("local[2]", 0, Map.of("spark.ui.enabled", "false")));

        assertEquals(12, o.blocks()); // 4 x 3 blocks of 300 px: objects cross their borders
        float[] read = OmeZarr.open(out.resolve("labels.zarr")).array().readPlane(new long[0], 0, 0, h, w);
        InstanceMatching.Result m = matched(whole, read, o, "blocks");
        int objects = m.truePositives() + m.falsePositives();
        assertTrue(objects > 300, "objects: " + objects);

        List<String> table = Files.readAllLines(out.resolve("objects.csv"));
        assertEquals(
                "label,area_px,centroid_x_px,centroid_y_px,box_x,box_y,box_width,box_height,mean_intensity",
                table.get(0));
        assertEquals(o.objects(), table.size() - 1);
        assertTrue(Files.isDirectory(out.resolve("objects.parquet")));
        return m;
    }

    /**
     * A volume segmented in 3-D blocks by the 3-D model equals the same volume segmented whole by {@link
     * VolumeSegmenter}: objects cut by block faces in z, y and x are found once, whole. Here the volume is a folder of
     * TIFF planes, one per z, named as an image sequence export names them (z2 before z10), its voxel size given.
     */
    @Test
    void volumeBlocksGiveTheObjectsOfTheWholeVolume() throws Exception {
        assertSameObjects(compareVolume(0, true));
    }

    /**
     * Resized (objects taken as 12 voxels for a model of 14.1), each volume block is resampled on the whole resized
     * volume's grid: the same objects as the whole volume. (Each block resampled on its own grid, a fraction of a voxel
     * off the whole volume's, gave 397 objects for the whole's 412: precision 0.995, recall 0.959, mean IoU 0.885.)
     */
    @Test
    void resizedVolumeBlocksGiveTheObjectsOfTheWholeVolume() throws Exception {
        assertSameObjects(compareVolume(12, false));
    }

    /**
     * A BigDataViewer HDF5 volume (Fiji's Export › BigDataViewer: signed shorts holding unsigned values, chunks of 8 × 32
     * × 32, the voxel size in the XML beside it) segmented in blocks read chunk by chunk equals the same volume read
     * whole and segmented on one machine; the z spacing comes from the XML, not from an option.
     */
    @Test
    void aBigDataViewerVolumeInBlocksGivesTheObjectsOfTheWholeVolume() throws Exception {
        Path h5 = bigDataViewerFixture();
        Hdf5Images.Image image = Hdf5Images.read(h5);
        int d = image.slices(), h = image.height(), w = image.width();
        float[] voxels = new float[d * h * w];
        for (int z = 0; z < d; z++)
            for (int i = 0; i < h * w; i++) voxels[z * h * w + i] = ((short[]) image.planes()[z])[i] & 0xffff;
        Path model = Path.of("models/nuclei3d.onnx");
        Whole whole = whole(
                model,
                new LabeledVolume(
                        "whole", new float[][] {voxels}, null, new VolumeSize(d, h, w), new double[] {2, 1, 1}, "µm"),
                0);
        double size = whole.size();
        int[] labels = whole.labels();
        Path out = dir.resolve("out-h5");
        BlockSegmentation.Outcome o = BlockSegmentation.run(
                new ArrayList<>(List.of(
                        "--model",
                        model.toString(),
                        "--input",
                        h5.toString(),
                        "--output",
                        out.toString(),
                        "--block",
                        "64",
                        "--block-z",
                        "12",
                        "--chunk",
                        "64",
                        "--chunk-z",
                        "8",
                        "--diameter",
                        Double.toString(size))),
                new SparkBatch.Settings("local[2]", 0, Map.of("spark.ui.enabled", "false")));
        assertEquals(8, o.blocks()); // 2 x 2 x 2 blocks
        OmeZarr.Image back = OmeZarr.open(out.resolve("labels.zarr"));
        assertEquals(2.0, back.scale()[0], 1e-9, "the z spacing of BigDataViewer's XML");
        float[] read = back.array().read(new long[3], new int[] {d, h, w});
        InstanceMatching.Result m = matched(labels, read, o, "BigDataViewer HDF5 blocks");
        assertTrue(m.truePositives() + m.falsePositives() > 60, "objects: " + m);
        assertSameObjects(m);
    }

    /**
     * {@code --dataset} names one image of a BigDataViewer file — here its half-size level 1: 64 × 64 × 24 voxels of 2 ×
     * 2 × 2 µm (the XML's voxel size times the level's down-sampling), read chunk by chunk on the executors too. The
     * input is the XML, as BigDataViewer users open a data set: its HDF5 file is the one it names.
     */
    @Test
    void aNamedLevelOfABigDataViewerFileIsSegmentedWithItsOwnVoxelSize() throws Exception {
        bigDataViewerFixture();
        Path out = dir.resolve("out-level1");
        BlockSegmentation.Outcome o = BlockSegmentation.run(
                new ArrayList<>(List.of(
                        "--model",
                        "models/nuclei3d.onnx",
                        "--input",
                        dir.resolve("nuclei-bdv.xml").toString(),
                        "--dataset",
                        "/t00000/s00/1/cells",
                        "--output",
                        out.toString(),
                        "--diameter",
                        "7")),
                new SparkBatch.Settings("local[2]", 0, Map.of("spark.ui.enabled", "false")));
        OmeZarr.Image back = OmeZarr.open(out.resolve("labels.zarr"));
        assertArrayEquals(new long[] {24, 64, 64}, back.array().shape());
        assertEquals(1.0, back.scale()[0], 1e-9, "z spacing over xy spacing at level 1: 2 µm / 2 µm");
        assertTrue(o.objects() > 100 && o.objects() < 200, "objects of the 161 nuclei: " + o.objects());
    }

    /** An executor opens a BigDataViewer image again when its HDF5 file is rewritten, though its XML is not. */
    @Test
    void aRewrittenBigDataViewerFileIsOpenedAgainThoughItsXmlIsTheSame() throws Exception {
        Path h5 = bigDataViewerFixture();
        String xml = dir.resolve("nuclei-bdv.xml").toString(), cells = "/t00000/s00/0/cells";
        BlockSource first = BlockTask.source(xml, cells);
        assertSame(first, BlockTask.source(xml, cells), "opened once per version");
        Files.setLastModifiedTime(
                h5, FileTime.fromMillis(Files.getLastModifiedTime(h5).toMillis() + 60_000));
        assertNotSame(first, BlockTask.source(xml, cells), "the HDF5 file changed");
    }

    /** The BigDataViewer fixture (nuclei-bdv.h5 and its XML) copied into the test's folder; its HDF5 file. */
    private Path bigDataViewerFixture() throws IOException {
        for (String name : new String[] {"nuclei-bdv.h5", "nuclei-bdv.xml"})
            Files.copy(Path.of("src/test/resources/org/cnnj/spark").resolve(name), dir.resolve(name));
        return dir.resolve("nuclei-bdv.h5");
    }

    /** A volume's objects segmented whole on one machine, and the object size used. */
    private record Whole(int[] labels, double size) {}

    /** {@code v} segmented whole by {@code model} at {@code diameter} voxels (0: the model's own size). */
    private static Whole whole(Path model, LabeledVolume v, double diameter) throws IOException {
        VolumeSegmenter s = VolumeSegmenter.open(model, EngineKind.ORT, Device.CPU, 0, line -> {});
        try {
            double size = diameter > 0 ? diameter : s.spec().objectDiameter();
            return new Whole(
                    s.segment(v, VolumeSegmenter.Options.defaults().withDiameter(size), line -> {}, null)
                            .labels(),
                    size);
        } finally {
            s.engine().close();
        }
    }

    /** Every object of the whole volume found by the blocks and no other, each with its outline. */
    private static void assertSameObjects(InstanceMatching.Result m) {
        assertEquals(
                0, m.falsePositives() + m.falseNegatives(), "precision " + m.precision() + " recall " + m.recall());
        assertTrue(m.meanMatchedIou() > 0.99, "mean IoU " + m.meanMatchedIou());
    }

    /**
     * The whole volume and its blocks at {@code diameter} (0: the model's own), read from OME-Zarr or ({@code planes})
     * from a folder of TIFF planes.
     */
    InstanceMatching.Result compareVolume(double diameter, boolean planes) throws Exception {
        int d = 40, h = 192, w = 192;
        LabeledVolume v = SyntheticVolumes.generate(3, d, h, w, SyntheticVolumes.Settings.defaults());
        Path input = dir.resolve("volume.ome.zarr");
        ZarrArray a =
                OmeZarr.write(input, v.image()[0], new long[] {d, h, w}, new int[] {16, 64, 64}, v.zRatio(), "<u2");
        float[] voxels = a.read(new long[3], new int[] {d, h, w});
        List<String> extra = new ArrayList<>();
        if (planes) {
            input = writePlanes(dir.resolve("planes"), voxels, d, h, w);
            extra.addAll(List.of("--voxel", "2,1,1"));
        }
        Path model = Path.of("models/nuclei3d.onnx");
        Whole whole = whole(
                model,
                new LabeledVolume("whole", new float[][] {voxels}, null, v.size(), v.voxel(), v.unit()),
                diameter);
        double size = whole.size();
        int[] labels = whole.labels();
        Path out = dir.resolve("out3d");
        BlockSegmentation.Outcome o = BlockSegmentation.run(
                joined(
                        List.of(
                                "--model",
                                model.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                out.toString(),
                                "--block",
                                "64",
                                "--block-z",
                                "20",
                                "--chunk",
                                "64",
                                "--chunk-z",
                                "16",
                                "--diameter",
                                Double.toString(size)),
                        extra),
                new SparkBatch.Settings("local[2]", 0, Map.of("spark.ui.enabled", "false")));

        assertEquals(18, o.blocks()); // 3 x 3 x 2 blocks
        OmeZarr.Image back = OmeZarr.open(out.resolve("labels.zarr"));
        assertEquals(List.of("z", "y", "x"), back.axes());
        assertEquals(v.zRatio(), back.scale()[0], 1e-9, "the label volume keeps the z spacing");
        float[] read = back.array().read(new long[3], new int[] {d, h, w});
        InstanceMatching.Result m = matched(labels, read, o, "3-D blocks");
        assertTrue(m.truePositives() + m.falsePositives() > 50, "objects: " + m);
        List<String> table = Files.readAllLines(out.resolve("objects.csv"));
        assertEquals(
                "label,volume_voxels,centroid_x_px,centroid_y_px,centroid_z_px,box_x,box_y,box_z,box_width,box_height,"
                        + "box_depth,mean_intensity",
                table.get(0));
        assertEquals(o.objects(), table.size() - 1);
        return m;
    }

    /** A 2-D model on a volume is refused before anything runs, naming the fix. */
    @Test
    void aVolumeForATwoDimensionalModelIsRefusedWithTheFix() throws IOException {
        Path input = dir.resolve("stack.zarr");
        OmeZarr.write(input, new float[4 * 32 * 32], new long[] {4, 32, 32}, new int[] {4, 32, 32}, 2, "<u2");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> BlockSegmentation.run(
                        new ArrayList<>(List.of(
                                "--model",
                                "nuclei (built-in)",
                                "--input",
                                input.toString(),
                                "--output",
                                dir.resolve("o").toString())),
                        new SparkBatch.Settings("local[1]", 0, Map.of("spark.ui.enabled", "false"))));
        assertTrue(e.getMessage().contains("4 z planes") && e.getMessage().contains("3-D model"), e.getMessage());
    }

    private static List<String> joined(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A volume as 16-bit TIFF planes z1.tif … zD.tif (no z spacing stored, as most plane exports). */
    static Path writePlanes(Path folder, float[] voxels, int d, int h, int w) throws IOException {
        Files.createDirectories(folder);
        for (int z = 0; z < d; z++) {
            float[] plane = Arrays.copyOfRange(voxels, z * h * w, (z + 1) * h * w);
            Tiffs.save(
                    new ImagePlus("z", new FloatProcessor(w, h, plane).convertToShortProcessor(false)),
                    folder.resolve("z" + (z + 1) + ".tif"));
        }
        return folder;
    }

    /** The blocks' labels (as read back) matched to the whole image's, every numbered object checked to be painted. */
    static InstanceMatching.Result matched(int[] whole, float[] read, BlockSegmentation.Outcome o, String what) {
        int[] blocks = new int[read.length];
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < read.length; i++) {
            blocks[i] = (int) read[i];
            if (blocks[i] > 0) ids.add(blocks[i]);
        }
        assertEquals(o.objects(), ids.size(), "every numbered object painted");
        InstanceMatching.Result m = InstanceMatching.match(whole, blocks, 0.5);
        System.out.printf(
                "%s vs whole: %d objects vs %d, precision %.4f recall %.4f, mean IoU %.4f, doubles %d, contested %d%n",
                what,
                ids.size(),
                m.truePositives() + m.falseNegatives(),
                m.precision(),
                m.recall(),
                m.meanMatchedIou(),
                o.doubles(),
                o.contested());
        return m;
    }

    @Test
    void aVolumeIsRefusedWithItsAxis() throws IOException {
        Path input = dir.resolve("volume.zarr");
        ZarrArray.create(input, new long[] {5, 64, 64}, new int[] {1, 64, 64}, "<u2");
        Files.writeString(input.resolve(".zattrs"), "{}");
        IOException e = assertThrows(IOException.class, () -> OmeZarr.open(input));
        assertTrue(
                e.getMessage().contains("bare Zarr array of shape [5, 64, 64]")
                        && e.getMessage().contains("axes z, y, x"),
                e.getMessage());
    }
}
