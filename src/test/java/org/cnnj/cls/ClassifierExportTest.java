package org.cnnj.cls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import java.util.Map;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.Ort;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every family exports to ONNX and ONNX Runtime computes what the Java forward computes (≤ 1e-4). */
class ClassifierExportTest {
    static Tensor random(Rng rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.normal();
        return Tensor.of(v, shape);
    }

    /** Batch-norm statistics away from 0/1, so a mistake in exporting them shows. */
    static void randomStatistics(ClassifierNetwork net, Rng rng) {
        net.buffers().forEach((name, values) -> {
            for (int i = 0; i < values.length; i++)
                values[i] = name.endsWith("running_var") ? 1f + rng.uniform() : 0.1f * rng.normal();
        });
    }

    static float[] runOrt(byte[] model, Tensor input) throws OrtException {
        return Ort.run(model, input);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void javaEqualsOnnxRuntime(Architecture a) throws OrtException {
        // 64 px takes the torchvision stem, 32 px the small one: both are exercised across the families.
        int size = a.ordinal() % 2 == 0 ? 64 : Math.max(32, a.minimumInput());
        ClassifierConfig c = new ClassifierConfig(a, 2, ArchitecturesTest.classes(4), size, 0.125, 0.3);
        ClassifierNetwork net = a.build(c, new Rng(5));
        randomStatistics(net, new Rng(6));
        net.train(false);
        Tensor x = random(new Rng(7), 2, 2, size, size);
        Tensor expected = GradMode.noGrad(() -> net.forward(x));
        float[] actual = runOrt(OnnxExport.export(net, new int[] {1, 2, size, size}, Map.of()), x);
        assertEquals(expected.size(), actual.length);
        double diff = Close.maxAbsDiff(expected.data(), actual), scale = 0;
        for (float v : expected.data()) scale = Math.max(scale, Math.abs(v));
        // Relative to the logits' size: deep nets with random statistics give logits of any magnitude.
        assertTrue(
                diff <= 1e-4 * Math.max(1, scale),
                a.option() + ": max |Java − ORT| = " + diff + " at |logit| ≤ " + scale);
    }

    /** FC → conv: the dense map at each position is the classification of the crop there (LeNet: unpadded, exact). */
    @Test
    void denseMapEqualsClassifyingEveryCrop() throws OrtException {
        int s = 32, h = 48, w = 56;
        ClassifierConfig c = new ClassifierConfig(Architecture.LENET5, 1, ArchitecturesTest.classes(3), s, 1, 0.5);
        ClassifierNetwork net = Architecture.LENET5.build(c, new Rng(8));
        net.train(false);
        Tensor image = random(new Rng(9), 1, 1, h, w);
        Tensor map = GradMode.noGrad(() -> net.denseForward(image));
        int stride = net.denseStride(), mh = (h - s) / stride + 1, mw = (w - s) / stride + 1;
        assertEquals(4, stride);
        assertArrayEquals(new int[] {1, 3, mh, mw}, map.shape());
        for (int i = 0; i < mh; i++) {
            for (int j = 0; j < mw; j++) {
                float[] crop = new float[s * s];
                for (int y = 0; y < s; y++)
                    System.arraycopy(image.data(), (i * stride + y) * w + j * stride, crop, y * s, s);
                Tensor logits = GradMode.noGrad(() -> net.forward(Tensor.of(crop, 1, 1, s, s)));
                for (int k = 0; k < 3; k++) {
                    float dense = map.data()[(k * mh + i) * mw + j];
                    assertEquals(logits.data()[k], dense, 1e-4, "class " + k + " at (" + i + ", " + j + ")");
                }
            }
        }
        byte[] onnx = OnnxExport.exportGraph(
                net, new int[] {1, 1, h, w}, true, x -> Map.of("output", net.denseForward(x)), Map.of());
        assertTrue(Close.maxAbsDiff(map.data(), runOrt(onnx, image)) <= 1e-4, "dense map: Java == ORT");
    }
}
