package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnj.runtime.Device;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;
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
        ZarrArray a = OmeZarr.write(input, s.image(), w, h, 256, "<u2");
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
        int[] blocks = new int[read.length];
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < read.length; i++) {
            blocks[i] = (int) read[i];
            if (blocks[i] > 0) ids.add(blocks[i]);
        }
        assertEquals(o.objects(), ids.size(), "every numbered object painted");
        InstanceMatching.Result m = InstanceMatching.match(whole, blocks, 0.5);
        System.out.printf(
                "blocks vs whole: %d objects vs %d, precision %.4f recall %.4f, doubles %d, contested pixels %d%n",
                ids.size(),
                m.truePositives() + m.falseNegatives(),
                m.precision(),
                m.recall(),
                o.doubles(),
                o.contested());
        assertTrue(ids.size() > 300, "objects: " + ids.size());

        List<String> table = Files.readAllLines(out.resolve("objects.csv"));
        assertEquals(
                "label,area_px,centroid_x_px,centroid_y_px,box_x,box_y,box_width,box_height,mean_intensity",
                table.get(0));
        assertEquals(o.objects(), table.size() - 1);
        assertTrue(Files.isDirectory(out.resolve("objects.parquet")));
        return m;
    }

    @Test
    void aVolumeIsRefusedWithItsAxis() throws IOException {
        Path input = dir.resolve("volume.zarr");
        ZarrArray.create(input, new long[] {5, 64, 64}, new int[] {1, 64, 64}, "<u2");
        Files.writeString(input.resolve(".zattrs"), "{}");
        IOException e = assertThrows(IOException.class, () -> OmeZarr.open(input));
        assertTrue(e.getMessage().contains("5 positions along dim0"), e.getMessage());
    }
}
