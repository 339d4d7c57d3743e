package org.cnnj.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.ChildProcess;
import org.cnnj.testing.Close;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * torchvision's ResNet-18, MobileNet v2, DenseNet-121 and FCN-ResNet50, and U-Nets that up-sample by interpolation,
 * as PyTorch exports them (random weights, made by
 * src/test/python/make_torchvision_onnx.py when the development Python has torch and torchvision; skipped, saying so,
 * where it has not): rebuilt in Java they compute what ONNX Runtime computes, and after a fine-tuning step they export
 * again to a file ONNX Runtime runs to the same numbers.
 */
class TorchvisionGraphTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void export() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3: torchvision models not tested");
        ChildProcess.Run probe =
                ChildProcess.run(List.of(python.toString(), "-c", "import torch, torchvision"), null, 120);
        Assumptions.assumeTrue(
                probe.finished() && probe.exitCode() == 0,
                "python3-torch / python3-torchvision absent: torchvision models not tested (apt-get install"
                        + " python3-torchvision)");
        ChildProcess.Run run = ChildProcess.run(
                List.of(python.toString(), "src/test/python/make_torchvision_onnx.py", dir.toString(), "64"),
                null,
                300);
        assertTrue(run.finished() && run.exitCode() == 0, run.output());
    }

    private static float[] ort(Path model, Tensor x) throws Exception {
        try (OrtEngine engine = OrtEngine.open(model, Device.CPU, 2, m -> {})) {
            return engine.run(x).data();
        }
    }

    private static void assertSame(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        double diff = Close.maxAbsDiff(expected, actual), scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        assertTrue(diff <= 1e-4 * Math.max(1, scale), what + ": max |Java − ORT| " + diff + " at |logit| ≤ " + scale);
    }

    /** FCN sizes its output from its input by shape arithmetic around a ×8 bilinear Resize: evaluated per input. */
    @Test
    void fcnResnet50RebuildsWithItsShapeArithmeticAtAnySize() throws Exception {
        Path file = dir.resolve("fcn_resnet50.onnx");
        GraphNetwork net = GraphNetwork.load(file);
        net.train(false);
        Rng rng = new Rng(6);
        float[] v = new float[3 * 64 * 80];
        for (int i = 0; i < v.length; i++) v[i] = rng.normal();
        Tensor x = Tensor.of(v, 1, 3, 64, 80); // not the exported 64 x 64: the sizes come from this input
        Tensor y = GradMode.noGrad(() -> net.forward(x));
        assertEquals(List.of(1, 3, 64, 80), Arrays.stream(y.shape()).boxed().toList());
        assertSame("fcn_resnet50", ort(file, x), y.data());
    }

    /**
     * U-Nets that up-sample by Resize (bilinear half_pixel, bilinear align_corners, nearest asymmetric): at a size
     * they were not exported at, Java == ORT; a fine-tuning step on per-pixel labels, and the re-export == ORT.
     */
    @ParameterizedTest
    @ValueSource(strings = {"unet_bilinear", "unet_align_corners", "unet_nearest"})
    void interpolatingUNetsRebuildFineTuneAndExportAgain(String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        GraphNetwork net = GraphNetwork.load(file);
        net.train(false);
        Rng rng = new Rng(8);
        float[] v = new float[2 * 48 * 40];
        for (int i = 0; i < v.length; i++) v[i] = rng.normal();
        Tensor x = Tensor.of(v, 2, 1, 48, 40);
        Tensor before = GradMode.noGrad(() -> net.forward(x));
        assertEquals(
                List.of(2, 3, 48, 40), Arrays.stream(before.shape()).boxed().toList());
        assertSame(name, ort(file, x), before.data());

        net.train(true);
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-2));
        int[] labels = new int[2 * 48 * 40];
        for (int i = 0; i < labels.length; i++) labels[i] = v[i] > 0 ? 1 : 0;
        Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(x), labels));
        adam.step();
        net.train(false);
        Tensor after = GradMode.noGrad(() -> net.forward(x));
        assertTrue(Close.maxAbsDiff(before.data(), after.data()) > 1e-3, name + ": the step changed nothing");
        Path again = dir.resolve(name + "-tuned.onnx");
        Files.write(again, OnnxExport.export(net, new int[] {1, 1, 48, 40}, Map.of()));
        assertSame(name + " after a step, exported again", ort(again, x), after.data());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "resnet18",
                "mobilenet_v2",
                "densenet121",
                "squeezenet1_1",
                "shufflenet_v2_x0_5",
                "mnasnet0_5",
                "efficientnet_b0",
                "mobilenet_v3_small",
                "regnet_y_400mf"
            })
    void rebuildsRunsFineTunesAndExportsAgain(String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        GraphNetwork net = GraphNetwork.load(file);
        net.train(false);
        Rng rng = new Rng(5);
        float[] v = new float[2 * 3 * 64 * 64];
        for (int i = 0; i < v.length; i++) v[i] = rng.normal();
        Tensor x = Tensor.of(v, 2, 3, 64, 64);
        assertSame(name, ort(file, x), GradMode.noGrad(() -> net.forward(x)).data());

        net.train(true); // one fine-tuning step (batch statistics where a BatchNorm is left), then back to eval
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-3));
        Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(x), new int[] {3, 7}));
        adam.step();
        net.train(false);
        Path again = dir.resolve(name + "-tuned.onnx");
        Files.write(again, OnnxExport.export(net, new int[] {1, 3, 64, 64}, Map.of()));
        assertSame(
                name + " after a step, exported again",
                ort(again, x),
                GradMode.noGrad(() -> net.forward(x)).data());
    }
}
