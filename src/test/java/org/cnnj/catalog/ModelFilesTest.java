package org.cnnj.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.det.Detection;
import org.cnnj.det.DetectionScenes;
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

    /** Both graphs of a detector halved; the sidecar says so; the same objects are found in a scene. */
    @Test
    void exportWithFloat16WeightsHalvesEveryGraphAndDetectsTheSame() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("models/detector.onnx")));
        Path original = Path.of("models/detector.onnx");
        Path copy = ModelFiles.export(original, dir.resolve("half"), ModelFiles.Weights.FLOAT16);
        for (String f : new String[] {"detector.onnx", "detector.head.onnx"}) {
            long before = Files.size(original.resolveSibling(f)),
                    after = Files.size(dir.resolve("half").resolve(f));
            assertTrue(after < 0.6 * before, f + ": " + after + " of " + before + " bytes");
        }
        assertTrue(
                DetectorSpec.read(Sidecars.of(copy)).provenance().get("weights").startsWith("float16"));
        var scene = DetectionScenes.generate(7, 256, 256, 0.0015);
        float[][] planes = {scene.image()};
        List<Detection> a, b;
        try (ObjectDetector full = ObjectDetector.open(original, Device.CPU, 1, m -> {});
                ObjectDetector half = ObjectDetector.open(copy, Device.CPU, 1, m -> {})) {
            a = full.detect(planes, 256, 256, ObjectDetector.Options.of(full.spec()), null);
            b = half.detect(planes, 256, 256, ObjectDetector.Options.of(half.spec()), null);
        }
        assertTrue(a.size() >= 5, a.size() + " detections");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).classIndex(), b.get(i).classIndex());
            assertEquals(a.get(i).x1(), b.get(i).x1(), 0.5);
            assertEquals(a.get(i).y2(), b.get(i).y2(), 0.5);
            assertEquals(a.get(i).score(), b.get(i).score(), 0.01);
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
