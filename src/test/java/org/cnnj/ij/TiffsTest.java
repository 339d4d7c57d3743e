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
}
