package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.io.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short demo run end to end: it learns, and writes a loadable checkpoint and a 16-bit label image. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void shortTrainingLearnsAndWritesOutputs() throws Exception {
        DemoCommand.Report r = DemoCommand.train(dir, 40, 3, false);
        assertTrue(r.finalLoss() < 0.6f, "weighted cross-entropy after 40 steps: " + r.finalLoss());
        assertTrue(r.trueObjects() > 100, "the held-out image is crowded: " + r.trueObjects());
        assertTrue(r.foundObjects() > 0, "some nuclei found after 40 steps");
        for (String f : new String[] {"nuclei.onnx", "nuclei.json", "heldout.tif", "rois.zip", "results.csv"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(
                r.foundObjects() + 1,
                Files.readAllLines(dir.resolve("results.csv")).size(),
                "one CSV row per object");
        ImagePlus labels = IJ.openImage(dir.resolve("labels.tif").toString());
        assertNotNull(labels);
        assertEquals(16, labels.getBitDepth());
        assertEquals(256, labels.getWidth());
        assertEquals(
                "./cnnj demo --steps 40 --seed 3",
                Checkpoint.read(dir.resolve("model.ckpt")).meta().get("command"));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary files left");
        }
    }
}
