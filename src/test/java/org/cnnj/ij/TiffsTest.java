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
}
