package org.cnnj.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.ObjectDetector;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export copies a model with all its files; import checks an external model and writes its sidecar. */
class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void exportCopiesSidecarAndHead() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")));
        Path copy = ModelFiles.export(Path.of("models/detector.onnx"), dir.resolve("shared"));
        assertTrue(Files.exists(copy)
                && Files.exists(dir.resolve("shared/detector.json"))
                && Files.exists(dir.resolve("shared/detector.head.onnx")));
        try (ObjectDetector d = ObjectDetector.open(copy, Device.CPU, 1, m -> {})) {
            assertEquals(2, d.spec().classes().size());
        }
    }

    @Test
    void importWritesASidecarSegmentUsesAndRejectsNonModels() throws Exception {
        Path model = dir.resolve("unet.onnx");
        SegmentationSpec spec = ModelFiles.importModel(
                Path.of("src/test/resources/external/torch_unet.onnx"),
                model,
                new SegmentationModel.External(0, 16, 32, NormalizationMethod.PERCENTILE));
        assertEquals(SegmentationSpec.read(Sidecars.of(model)), spec);
        assertTrue(spec.provenance().get("imported_from").endsWith("torch_unet.onnx"));
        Files.writeString(dir.resolve("junk.onnx"), "not a model");
        var e = assertThrows(
                IOException.class,
                () -> ModelFiles.importModel(
                        dir.resolve("junk.onnx"),
                        dir.resolve("x.onnx"),
                        new SegmentationModel.External(0, 16, 32, NormalizationMethod.NONE)));
        assertTrue(e.getMessage().contains("junk.onnx"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x.onnx")) && Files.notExists(dir.resolve("x.json")));
    }

    @Test
    void aDetectorGivenToSegmentAndAModelGivenToDetectSayWhichCommandTakesThem() {
        var segment = assertThrows(IOException.class, () -> SegmentationSpec.read(Path.of("models/detector.json")));
        assertTrue(
                segment.getMessage().contains("object detector, not a segmentation model")
                        && segment.getMessage().contains("Detect in Image"),
                segment.getMessage());
        var detect = assertThrows(IOException.class, () -> DetectorSpec.read(Path.of("models/nuclei.json")));
        assertTrue(
                detect.getMessage().contains("not a detector")
                        && detect.getMessage().contains("Segment Image"),
                detect.getMessage());
    }
}
