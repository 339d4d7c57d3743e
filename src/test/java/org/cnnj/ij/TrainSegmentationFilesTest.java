package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Roi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.Instances;
import org.cnnj.seg.LabeledImage;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segmentation training data from ROI zips (the ROI Manager's format) instead of label images. */
class TrainSegmentationFilesTest {
    @TempDir
    Path dir;

    @Test
    void roiZipBecomesTheSameObjectsAsTheLabelImage() throws Exception {
        Files.copy(Path.of("test-images/nuclei-1.tif"), dir.resolve("a.tif"));
        int[] truth =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        List<Roi> rois = LabelResults.rois(truth, 256, 256, 0);
        RoiZips.write(rois, dir.resolve("a.zip"));
        List<LabeledImage> data = TrainSegmentationFiles.load(dir, null);
        assertEquals(1, data.size());
        int[] fromRois = data.get(0).labels();
        assertEquals(Instances.count(truth), Instances.count(fromRois));
        InstanceMatching.Result m = InstanceMatching.match(truth, fromRois, 0.9);
        assertEquals(Instances.count(truth), m.truePositives(), "every object comes back with IoU >= 0.9");
        Files.delete(dir.resolve("a.zip"));
        var e = Assertions.assertThrows(IOException.class, () -> TrainSegmentationFiles.load(dir, null));
        assertTrue(e.getMessage().contains("a-labels.tif") && e.getMessage().contains("a.zip"), e.getMessage());
    }
}
