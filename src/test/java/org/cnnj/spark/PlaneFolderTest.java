package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.ij.Tiffs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A volume as a folder of TIFF planes: natural name order, boxes read back, a plane of another size named. */
class PlaneFolderTest {
    @TempDir
    Path dir;

    @Test
    void planesInNaturalOrderReadBackAsTheVolume() throws IOException {
        int d = 12, h = 10, w = 14;
        short[][] planes = new short[d][h * w];
        for (int z = 0; z < d; z++) {
            for (int i = 0; i < h * w; i++) planes[z][i] = (short) (z * 1000 + i);
            Tiffs.save(
                    new ImagePlus("p", new ShortProcessor(w, h, planes[z], null)), dir.resolve("plane" + z + ".tif"));
        }
        Files.writeString(dir.resolve("notes.txt"), "not a plane");
        assertTrue(PlaneFolder.holdsPlanes(dir));
        BlockSource v = BlockSource.open(dir);
        assertEquals(d, v.depth());
        assertEquals(h, v.height());
        assertEquals(w, v.width());
        // z 8..11 crosses plane9 → plane10 (a name sort would put plane10 after plane1); x runs past the edge (0 there)
        float[] box = v.readBox(0, new BlockSource.Box(8, 2, 5, 4, 3, 12));
        for (int z = 0; z < 4; z++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 12; x++) {
                    float expected = 5 + x < w ? (8 + z) * 1000 + (2 + y) * w + 5 + x : 0;
                    assertEquals(expected, box[(z * 3 + y) * 12 + x], "voxel " + z + "," + y + "," + x);
                }
        assertEquals(d * h * w, v.sample(0).length, "a small volume is its own sample");
        assertTrue(PlaneFolder.naturalKey("a2b").compareTo(PlaneFolder.naturalKey("a10b")) < 0, "2 before 10");
    }

    @Test
    void aPlaneOfAnotherSizeIsNamed() throws IOException {
        Tiffs.save(new ImagePlus("p", new ShortProcessor(8, 8)), dir.resolve("z1.tif"));
        Tiffs.save(new ImagePlus("p", new ShortProcessor(8, 9)), dir.resolve("z2.tif"));
        BlockSource v = BlockSource.open(dir);
        IOException e = assertThrows(IOException.class, () -> v.readBox(0, new BlockSource.Box(0, 0, 0, 2, 8, 8)));
        assertTrue(e.getMessage().contains("z2.tif is 8x9") && e.getMessage().contains("same size"), e.getMessage());
    }

    /** A missing input and a folder holding one z-stack file are named with what to do instead. */
    @Test
    void aMissingInputOrAOneFileStackIsNamedWithTheWayOut() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> BlockSource.open(dir.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("nowhere does not exist"), missing.getMessage());
        ImagePlus stack = new ImagePlus("s", new ShortProcessor(8, 8));
        ImageStack slices = new ImageStack(8, 8);
        for (int z = 0; z < 3; z++) slices.addSlice(new ShortProcessor(8, 8));
        stack.setStack(slices);
        Tiffs.save(stack, dir.resolve("stack.tif"));
        IOException one = assertThrows(IOException.class, () -> BlockSource.open(dir));
        assertTrue(
                one.getMessage().contains("whole z-stack in one file")
                        && one.getMessage().contains("./cnnj segment"),
                one.getMessage());
    }
}
