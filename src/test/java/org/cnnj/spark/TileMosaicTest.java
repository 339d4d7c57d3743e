package org.cnnj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnj.ij.Tiffs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of tiles placed by a stitching configuration, as Fiji's Grid/Collection stitching writes it. */
class TileMosaicTest {
    @TempDir
    Path dir;

    /**
     * Cuts {@code image} (16-bit values) into tiles of {@code tile} px overlapping by {@code overlap}, saved as TIFFs
     * in {@code folder} with TileConfiguration.txt as Fiji writes it (positions as decimals, {@code jitter} added).
     */
    static Path writeTiles(Path folder, float[] image, int w, int h, int tile, int overlap, double jitter)
            throws IOException {
        Files.createDirectories(folder);
        StringBuilder conf = new StringBuilder(
                "# Define the number of dimensions we are working on\ndim = 2\n\n# Define the image coordinates\n");
        int step = tile - overlap, n = 0;
        for (int y0 = 0; y0 < h; y0 += step) {
            for (int x0 = 0; x0 < w; x0 += step) {
                int tw = Math.min(tile, w - x0), th = Math.min(tile, h - y0);
                short[] px = new short[tw * th];
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++) px[y * tw + x] = (short) image[(y0 + y) * w + x0 + x];
                String name = String.format(Locale.ROOT, "tile_%03d.tif", ++n);
                Tiffs.save(new ImagePlus(name, new ShortProcessor(tw, th, px, null)), folder.resolve(name));
                conf.append(String.format(Locale.ROOT, "%s; ; (%.1f, %.1f)%n", name, x0 + jitter, y0 + jitter));
                if (x0 + tw >= w) break;
            }
            if (y0 + Math.min(tile, h - y0) >= h) break;
        }
        Files.writeString(folder.resolve("TileConfiguration.txt"), conf.toString());
        return folder;
    }

    static float[] ramp(int w, int h) {
        float[] image = new float[w * h];
        for (int i = 0; i < image.length; i++) image[i] = (i * 7919L) % 4000;
        return image;
    }

    @Test
    void overlappingTilesReadBackAsTheImage() throws IOException {
        int w = 700, h = 500;
        float[] image = ramp(w, h);
        BlockSource mosaic = BlockSource.open(writeTiles(dir.resolve("tiles"), image, w, h, 280, 60, 0.2));
        assertEquals(w, mosaic.width());
        assertEquals(h, mosaic.height());
        assertEquals(1, mosaic.channels());
        assertEquals(6, ((TileMosaic) mosaic).tiles().size());
        assertArrayEquals(image, mosaic.readPlane(0, 0, 0, h, w));
        // A region across four tiles and their overlaps.
        float[] region = mosaic.readPlane(0, 180, 190, 120, 130);
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 130; x++) assertEquals(image[(180 + y) * w + 190 + x], region[y * 130 + x]);
    }

    @Test
    void anOverlapTakesTheTileWhoseCentreIsNearest() throws IOException {
        // Two tiles of constant values 1 and 2 overlapping by 40 px: the overlap's left half is tile 1's.
        Path folder = dir.resolve("two");
        Files.createDirectories(folder);
        for (int t = 1; t <= 2; t++) {
            short[] px = new short[100 * 50];
            java.util.Arrays.fill(px, (short) t);
            Tiffs.save(new ImagePlus("t", new ShortProcessor(100, 50, px, null)), folder.resolve("t" + t + ".tif"));
        }
        Path conf = folder.resolve("TileConfiguration.registered.txt");
        Files.writeString(conf, "dim = 2\nt1.tif; ; (10.4, -3.0)\nt2.tif; ; (70.4, -3.0)\n");
        Files.writeString(folder.resolve("TileConfiguration.txt"), "dim = 2\nt1.tif; ; (0.0, 0.0)\n");
        BlockSource mosaic = BlockSource.open(folder); // the registered positions, shifted to start at (0, 0)
        assertEquals(160, mosaic.width());
        float[] row = mosaic.readPlane(0, 25, 0, 1, 160);
        for (int x = 0; x < 160; x++) assertEquals(x < 80 ? 1 : 2, row[x], "column " + x);
    }

    @Test
    void badConfigurationsAreNamed() throws IOException {
        Path folder = dir.resolve("bad");
        writeTiles(folder, ramp(100, 100), 100, 100, 100, 0, 0);
        Path conf = folder.resolve("TileConfiguration.txt");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"dim = 3\ntile_001.tif; ; (0.0, 0.0, 0.0)\n", "dim = 3"});
        cases.add(new String[] {"dim = 2\nmissing.tif; ; (0.0, 0.0)\n", "missing.tif does not exist"});
        cases.add(new String[] {"dim = 2\ntile_001.tif (0.0, 0.0)\n", "line 2"});
        cases.add(new String[] {"dim = 2\ntile_001.tif; ; (zero, 0.0)\n", "not two numbers"});
        cases.add(new String[] {"# nothing\n", "lists no tiles"});
        for (String[] c : cases) {
            Files.writeString(conf, c[0]);
            IOException e = assertThrows(IOException.class, () -> BlockSource.open(folder));
            assertTrue(
                    e.getMessage().contains(c[1]) && e.getMessage().contains("TileConfiguration.txt"), e.getMessage());
        }
    }
}
