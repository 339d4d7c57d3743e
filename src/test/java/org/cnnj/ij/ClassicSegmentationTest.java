package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ij.process.ByteProcessor;
import org.cnnj.seg.Instances;
import org.junit.jupiter.api.Test;

class ClassicSegmentationTest {
    @Test
    void otsuThenWatershedSplitsTwoOverlappingDiscsAndKeepsASeparateOne() {
        int w = 100, h = 60;
        ByteProcessor ip = new ByteProcessor(w, h);
        int[][] discs = {{30, 30, 13}, {50, 30, 13}, {85, 15, 8}}; // the first two overlap: one blob to a threshold
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = 20;
                for (int[] d : discs) if ((x - d[0]) * (x - d[0]) + (y - d[1]) * (y - d[1]) <= d[2] * d[2]) v = 200;
                ip.set(x, y, v);
            }
        }
        int[] labels = ClassicSegmentation.otsuWatershed(ip);
        assertEquals(3, Instances.count(labels));
        assertEquals(0, labels[0]);
        assertEquals(
                labels[30 * w + 20] != labels[30 * w + 60], true, "the watershed line separates the overlapping discs");
    }
}
