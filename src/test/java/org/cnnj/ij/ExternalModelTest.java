package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnj.model.Normalization;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A U-Net exported by PyTorch's own torch.onnx.export (fixture from src/test/python/make_external_model.py). */
class ExternalModelTest {
    @TempDir
    Path dir;

    private Path copyModel() throws Exception {
        Path model = dir.resolve("torch_unet.onnx");
        try (var in = getClass().getResourceAsStream("/external/torch_unet.onnx")) {
            Files.copy(in, model);
        }
        return model;
    }

    @Test
    void onnxRuntimeReproducesPyTorch() throws Exception {
        Golden g = Golden.load("external_torch_unet");
        try (OrtEngine engine = OrtEngine.open(copyModel(), Device.CPU, 1, m -> {})) {
            Tensor y = engine.run(g.tensor("x"));
            assertArrayEquals(g.tensor("y").shape(), y.shape());
            assertTrue(Close.maxAbsDiff(g.floats("y"), y.data()) <= 1e-4);
        }
    }

    @Test
    void segmentRunsItWithoutASidecar() throws Exception {
        Golden g = Golden.load("external_torch_unet");
        Path model = copyModel(), image = dir.resolve("x.tif");
        float[] x = g.floats("x");
        Tiffs.save(new ImagePlus("x", new FloatProcessor(48, 40, x)), image);
        SegmentFiles.Options o = SegmentFiles.Options.of(model, image, dir.resolve("out"))
                .withEngine(EngineKind.ORT, Device.CPU, 0)
                .withRequest(new Segmenter.Request(Diameter.AUTO, false, 0))
                .withExternal(new SegmentationModel.External(0, 4, 28, NormalizationMethod.NONE));
        SegmentationSpec spec =
                SegmentationModel.resolve(o.model(), o.external(), line -> {}).spec();
        assertEquals(2, spec.classes().size(), "class count read from the model's output shape");
        assertEquals(0, SegmentFiles.segment(o));
        short[] labels = (short[])
                Tiffs.open(dir.resolve("out/labels.tif")).getProcessor().getPixels();
        float[] y = g.floats("y");
        int plane = 40 * 48, agree = 0;
        for (int p = 0; p < plane; p++) if ((y[plane + p] > y[p] ? 1 : 0) == labels[p]) agree++;
        assertEquals(plane, agree, "class map = argmax of PyTorch's logits");
    }

    /** engine java runs a model from elsewhere too (its graph rebuilt in Java), as ONNX Runtime does. */
    @Test
    void theJavaEngineRunsItAsOnnxRuntimeDoes() throws Exception {
        Golden g = Golden.load("external_torch_unet");
        Path model = copyModel();
        SegmentationSpec spec = SegmentationSpec.forExternal(1, 2, 4, 28, Normalization.none());
        try (Engine java = EngineKind.JAVA.open(model, null, Device.CPU, 1, m -> {})) {
            Tensor y = java.run(g.tensor("x"));
            assertArrayEquals(g.tensor("y").shape(), y.shape());
            assertTrue(
                    Close.maxAbsDiff(g.floats("y"), y.data()) <= 1e-4,
                    "Java engine vs PyTorch: " + Close.maxAbsDiff(g.floats("y"), y.data()));
        }
    }
}
