package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.SegmentationSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainSegCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsOnImageLabelPairsAndWritesAnApplicableModel() throws Exception {
        Path model = dir.resolve("m.onnx");
        assertEquals(0, TrainSegCommand.run(new String[] {
            "--images",
            "test-images",
            "--output",
            model.toString(),
            "--epochs",
            "1",
            "--steps",
            "3",
            "--patch",
            "64",
            "--depth",
            "2",
            "--filters",
            "4",
            "--batch",
            "2"
        }));
        SegmentationSpec spec = SegmentationSpec.read(dir.resolve("m.json"));
        assertTrue(spec.provenance().get("command").startsWith("./cnnj train-seg --images test-images"));
        assertEquals(2, Files.readAllLines(dir.resolve("m-training.csv")).size());
        assertEquals(
                0,
                SegmentFiles.segment(
                        SegmentFiles.Options.of(model, Path.of("test-images/nuclei-1.tif"), dir.resolve("out"))
                                .withEngine(EngineKind.ORT, Device.CPU, 0)));
        var again = assertThrows(
                IllegalArgumentException.class,
                () -> TrainSegCommand.run(new String[] {"--images", "test-images", "--output", model.toString()}));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
    }

    @Test
    void labelImagesMustHoldWholeNumbersAndMatchTheirImages() throws Exception {
        Path images = Files.createDirectories(dir.resolve("imgs"));
        Tiffs.save(new ImagePlus("a", new FloatProcessor(32, 32)), images.resolve("a.tif"));
        FloatProcessor fractional = new FloatProcessor(32, 32);
        fractional.setf(3, 0.5f);
        Tiffs.save(new ImagePlus("a", fractional), images.resolve("a-labels.tif"));
        var e = assertThrows(IllegalArgumentException.class, () -> TrainSegmentationFiles.load(images, null));
        assertTrue(e.getMessage().contains("whole numbers"), e.getMessage());
        Tiffs.save(new ImagePlus("a", new FloatProcessor(16, 32)), images.resolve("a-labels.tif"));
        var size = assertThrows(IllegalArgumentException.class, () -> TrainSegmentationFiles.load(images, null));
        assertTrue(size.getMessage().contains("must match pixel for pixel"), size.getMessage());
        Files.delete(images.resolve("a-labels.tif"));
        assertTrue(assertThrows(IOException.class, () -> TrainSegmentationFiles.load(images, null))
                .getMessage()
                .contains("no labels for a.tif"));
    }
}
