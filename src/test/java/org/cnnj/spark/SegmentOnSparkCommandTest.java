package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.fiji.HeadlessContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/**
 * Segment on Spark… as a Fiji script calls it (SciJava, headless): found in the menu, and — Spark being on the test
 * classpath and the JVM opened for it — the job run in this JVM. (In a Fiji without Spark it writes the command
 * lines instead; the dialog itself is checked with the others by CommandDialogTest.)
 */
class SegmentOnSparkCommandTest extends HeadlessContext {
    @TempDir
    Path dir;

    @Test
    void isInTheMenuAndRunsAFolderOnSparkHere() throws Exception {
        CommandInfo info = context.service(CommandService.class).getCommand(SegmentOnSparkCommand.class);
        assertEquals(
                "Plugins > CNN-J > Segmentation > Segment on Spark...",
                info.getMenuPath().getMenuString());
        assertNull(SparkJvm.whyNotHere(), "the test JVM has Spark and its openings");
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(Path.of("test-images/nuclei-1.tif"), in.resolve("nuclei-1.tif"));
        CommandModule m = context.service(CommandService.class)
                .run(
                        SegmentOnSparkCommand.class,
                        true,
                        "model",
                        new File("nuclei (built-in)"),
                        "input",
                        in.toFile(),
                        "output",
                        dir.resolve("out").toFile(),
                        "master",
                        "local[1]")
                .get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(String.valueOf(m.getOutput("summary")).startsWith("segmented in on Spark (local[1])"));
        assertTrue(Files.size(dir.resolve("out/nuclei-1/labels.tif")) > 1000);
        assertTrue(Files.exists(dir.resolve("out/images.csv")));
    }

    @Test
    void anOmeZarrOrHdf5ImageOrAMosaicOfTilesGoesInBlocks() throws Exception {
        assertTrue(SegmentOnSparkCommand.isLargeImage(new File("slide.ome.zarr")));
        assertTrue(SegmentOnSparkCommand.isLargeImage(new File("embryo-bdv.h5")));
        assertTrue(SegmentOnSparkCommand.isLargeImage(new File("stack.HDF5")));
        assertTrue(SegmentOnSparkCommand.isLargeImage(new File("src/test/resources/org/cnnj/spark/nuclei-bdv.xml")));
        assertFalse(SegmentOnSparkCommand.isLargeImage(new File("pom.xml")));
        assertTrue(SegmentOnSparkCommand.isLargeImage(
                ZarrTest.FIXTURES.resolve("bf2raw.zarr").toFile()));
        assertFalse(SegmentOnSparkCommand.isLargeImage(new File("test-images")));
        Path tiles = TileMosaicTest.writeTiles(dir.resolve("tiles"), TileMosaicTest.ramp(64, 64), 64, 64, 40, 8, 0);
        assertTrue(SegmentOnSparkCommand.isLargeImage(tiles.toFile()));
        assertTrue(SegmentOnSparkCommand.isLargeImage(
                tiles.resolve("TileConfiguration.txt").toFile()));
    }

    /** The dataset field reaches the block job as --dataset for an HDF5 or BigDataViewer input only. */
    @Test
    void theDatasetOfAnHdf5FileGoesToTheBlockJob() {
        SegmentOnSparkCommand c = new SegmentOnSparkCommand();
        c.input = new File("src/test/resources/org/cnnj/spark/nuclei-bdv.xml");
        c.output = new File("out");
        c.dataset = " /t00000/s00/1/cells ";
        List<String> a = c.arguments();
        assertEquals("segment-blocks", a.get(0));
        assertEquals("/t00000/s00/1/cells", a.get(a.indexOf("--dataset") + 1), a.toString());
        c.dataset = "";
        assertFalse(c.arguments().contains("--dataset"));
        c.input = new File("test-images");
        c.dataset = "/t00000/s00/1/cells";
        assertFalse(c.arguments().contains("--dataset"), "a folder of images has no datasets");
    }
}
