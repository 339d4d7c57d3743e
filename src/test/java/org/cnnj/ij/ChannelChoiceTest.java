package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.runtime.Device;
import org.cnnj.seg.LabeledImage;
import org.cnnj.seg.Segmenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing channels by number or name, as segmenting, detecting and training read them. */
class ChannelChoiceTest {
    @TempDir
    Path dir;

    /** Two channels named DAPI and actin, two slices; pixel values say which (channel·100 + slice). */
    static ImagePlus twoChannels() {
        ImageStack stack = new ImageStack(4, 3);
        for (int z = 0; z < 2; z++)
            for (int c = 0; c < 2; c++) {
                float[] p = new float[12];
                java.util.Arrays.fill(p, 100 * (c + 1) + z);
                stack.addSlice(c == 0 ? "DAPI" : "actin", new FloatProcessor(4, 3, p));
            }
        ImagePlus imp = new ImagePlus("cells", stack);
        imp.setDimensions(2, 2, 1);
        return imp;
    }

    @Test
    void channelsAreChosenByNumberOrNameInTheGivenOrder() {
        ImagePlus imp = twoChannels();
        assertSame(imp, ChannelChoice.parse("all").apply(imp, "cells"));
        assertSame(imp, ChannelChoice.parse(" ").apply(imp, "cells"));
        assertEquals(List.of("DAPI", "actin"), ChannelChoice.names(imp));
        ImagePlus swapped = ChannelChoice.parse("[2, 1]").apply(imp, "cells");
        assertEquals(2, Planes.channels(swapped));
        assertEquals(2, Planes.positions(swapped));
        assertEquals(201, Planes.of(swapped, 1)[0][0], "slice 2's first channel is now actin");
        assertEquals(101, Planes.of(swapped, 1)[1][0]);
        ImagePlus actin = ChannelChoice.parse("ACTIN").apply(imp, "cells");
        assertEquals(1, Planes.channels(actin));
        assertEquals(200, Planes.of(actin, 0)[0][0]);
        var none = assertThrows(
                IllegalArgumentException.class, () -> ChannelChoice.parse("GFP").apply(imp, "cells"));
        assertTrue(none.getMessage().contains("no channel \"GFP\"")
                && none.getMessage().contains("DAPI, actin"));
        var range = assertThrows(
                IllegalArgumentException.class, () -> ChannelChoice.parse("3").apply(imp, "cells"));
        assertTrue(range.getMessage().contains("2 channel(s)"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChannelChoice.parse("1,,2"));
    }

    @Test
    void anRgbImagesColoursAreChannelsRedGreenBlue() {
        ColorProcessor cp = new ColorProcessor(3, 2);
        cp.set(0, 0, (10 << 16) | (20 << 8) | 30);
        ImagePlus rgb = new ImagePlus("photo", cp);
        ImagePlus blueGreen = ChannelChoice.parse("blue,green").apply(rgb, "photo");
        assertEquals(2, Planes.channels(blueGreen));
        assertArrayEquals(
                new float[] {30, 20}, new float[] {Planes.of(blueGreen, 0)[0][0], Planes.of(blueGreen, 0)[1][0]});
    }

    /**
     * A two-channel stack (nuclei + a bright second channel) to the one-channel nuclei model: refused naming its
     * channels and the option; with channels=1 it gives the objects of the nuclei channel alone.
     */
    @Test
    void segmentingAndTrainingReadTheChosenChannels() throws Exception {
        ImagePlus nuclei = Tiffs.open(Path.of("test-images/nuclei-1.tif"));
        int w = nuclei.getWidth(), h = nuclei.getHeight();
        ImageStack stack = new ImageStack(w, h);
        stack.addSlice("Hoechst", nuclei.getProcessor().convertToFloat());
        float[] bright = new float[w * h];
        java.util.Arrays.fill(bright, 5000);
        stack.addSlice("membrane", new FloatProcessor(w, h, bright));
        ImagePlus two = new ImagePlus("two", stack);
        two.setDimensions(2, 1, 1);
        try (Segmenter s = Segmenter.open(Path.of("models/nuclei.onnx"), Device.CPU)) {
            var refused = assertThrows(
                    IllegalArgumentException.class,
                    () -> SegmentFiles.segment(s, Segmenter.Request.defaults(), two, "two.tif", line -> {}));
            assertTrue(
                    refused.getMessage().contains("Hoechst, membrane")
                            && refused.getMessage().contains("channels="),
                    refused.getMessage());
            int chosen = SegmentFiles.segment(
                            s,
                            Segmenter.Request.defaults(),
                            ChannelChoice.parse("hoechst").apply(two, "two.tif"),
                            "two.tif",
                            line -> {})
                    .objects();
            int alone = SegmentFiles.segment(s, Segmenter.Request.defaults(), nuclei, "nuclei-1.tif", line -> {})
                    .objects();
            assertEquals(alone, chosen);
            assertTrue(alone > 100);
        }
        Path images = Files.createDirectories(dir.resolve("train"));
        ij.IJ.saveAsTiff(two, images.resolve("two.tif").toString());
        Files.copy(Path.of("test-images/nuclei-1-labels.tif"), images.resolve("two-labels.tif"));
        List<LabeledImage> data = TrainSegmentationFiles.load(images, null, ChannelChoice.parse("2"));
        assertEquals(1, data.get(0).image().length);
        assertEquals(5000, data.get(0).image()[0][0]);
    }
}
