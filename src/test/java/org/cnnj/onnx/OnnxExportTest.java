package org.cnnj.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.nn.Bottleneck;
import org.cnnj.nn.ConvBnRelu;
import org.cnnj.nn.DenseBlock;
import org.cnnj.nn.Init;
import org.cnnj.nn.Linear;
import org.cnnj.nn.Module;
import org.cnnj.nn.ResidualBlock;
import org.cnnj.nn.SqueezeExcitation;
import org.cnnj.ops.AvgPool2d;
import org.cnnj.ops.GlobalAvgPool;
import org.cnnj.ops.LeakyRelu;
import org.cnnj.ops.Mean;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Reshape;
import org.cnnj.ops.Softmax;
import org.cnnj.ops.Tanh;
import org.cnnj.ops.Upsample;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.Ort;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips: the Java forward pass and ONNX Runtime on the exported file agree within 1e-4. */
class OnnxExportTest {
    @TempDir
    Path dir;

    static float[] runOrt(byte[] model, Tensor input) throws OrtException {
        return Ort.run(model, input);
    }

    private static Tensor randomInput(Rng rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.normal();
        return Tensor.of(v, shape);
    }

    private static void assertRoundTrip(Module model, byte[] onnx, Tensor input) throws OrtException {
        model.train(false);
        Tensor expected = GradMode.noGrad(() -> model.forward(input));
        float[] actual = runOrt(onnx, input);
        double diff = Close.maxAbsDiff(expected.data(), actual);
        assertEquals(expected.size(), actual.length);
        assertTrue(diff <= 1e-4, "max |Java − ORT| = " + diff);
    }

    @Test
    void trainedUNetRunsInOnnxRuntimeAtAnySize() throws Exception {
        Rng rng = new Rng(1);
        UNet net = new UNet(new UNetConfig(1, 3, 2, 4, true, false, 0f), rng);
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-2));
        for (int s = 0; s < 3; s++) { // moves the weights and the batch-norm statistics away from their defaults
            Tensor x = randomInput(rng, 2, 1, 16, 16);
            int[] labels = new int[2 * 16 * 16];
            for (int i = 0; i < labels.length; i++) labels[i] = x.data()[i] > 0 ? 1 : 2;
            adam.zeroGrad();
            Autograd.backward(SoftmaxCrossEntropy.apply(net.forward(x), labels));
            adam.step();
        }
        Path file = dir.resolve("unet.onnx");
        OnnxExport.export(net, new int[] {1, 1, 32, 32}, Map.of("classes", "background,interior,boundary"), file);
        byte[] onnx = Files.readAllBytes(file);
        assertTrue(net.isTraining(), "export restores training mode");
        assertRoundTrip(net, onnx, randomInput(rng, 2, 1, 32, 32));
        assertRoundTrip(net, onnx, randomInput(rng, 1, 1, 48, 40)); // symbolic N, H, W
    }

    /** Every exportable block and op in one network. */
    static final class Zoo extends Module {
        private final ConvBnRelu stem;
        private final ResidualBlock down;
        private final SqueezeExcitation se;
        private final DenseBlock dense;
        private final Bottleneck bottleneck;

        Zoo(Rng rng) {
            stem = child("stem", new ConvBnRelu(2, 8, 3, rng));
            down = child("down", new ResidualBlock(8, 8, 2, true, rng));
            se = child("se", new SqueezeExcitation(8, 2, rng));
            dense = child("dense", new DenseBlock(8, 4, 2, true, rng));
            bottleneck = child("bottleneck", new Bottleneck(16, 4, 16, true, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = bottleneck.forward(dense.forward(se.forward(down.forward(stem.forward(x)))));
            y = AvgPool2d.apply(y, PoolParams.of(3, 1, 1));
            y = Upsample.apply(LeakyRelu.apply(y, 0.1f), 2, Upsample.Mode.BILINEAR);
            return Softmax.apply(Tanh.apply(Upsample.apply(y, 2, Upsample.Mode.NEAREST)));
        }
    }

    @Test
    void everyBlockExportsFaithfully() throws Exception {
        Rng rng = new Rng(2);
        Zoo zoo = new Zoo(rng);
        zoo.train(true);
        GradMode.noGrad(() -> zoo.forward(randomInput(rng, 4, 2, 12, 12))); // non-trivial running statistics
        byte[] onnx = OnnxExport.export(zoo, new int[] {1, 2, 12, 12}, null);
        assertRoundTrip(zoo, onnx, randomInput(rng, 3, 2, 12, 12));
    }

    /** Image classifier head: global pooling, flatten, fully connected. */
    static final class Classifier extends Module {
        private final ConvBnRelu features;
        private final Linear head;

        Classifier(Rng rng) {
            features = child("features", new ConvBnRelu(1, 6, 3, rng));
            head = child("head", new Linear(6, 4, Init.XAVIER_UNIFORM, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(Reshape.flatten(GlobalAvgPool.apply(features.forward(x))));
        }
    }

    @Test
    void classifierWithFlattenAndDenseExports() throws Exception {
        Rng rng = new Rng(3);
        Classifier c = new Classifier(rng);
        byte[] onnx = OnnxExport.export(c, new int[] {1, 1, 10, 10}, null);
        assertRoundTrip(c, onnx, randomInput(rng, 5, 1, 10, 10));
    }

    @Test
    void passesTheOnnxCheckerWhenTheDevelopmentPythonIsPresent() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import onnx")
                .redirectErrorStream(true)
                .start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "python3-onnx not installed (apt-get install python3-onnx)");
        Path file = dir.resolve("checked.onnx");
        OnnxExport.export(
                new UNet(new UNetConfig(1, 2, 2, 4, true, true, 0f), new Rng(4)),
                new int[] {1, 1, 16, 16},
                Map.of("k", "v"),
                file);
        Process check = new ProcessBuilder(
                        python.toString(),
                        "-c",
                        "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version)",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), out);
        assertEquals(String.valueOf(OnnxExport.OPSET), out.strip());
    }

    @Test
    void modelsWithNonExportableOpsAreRefusedByName() {
        Module withMean = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return Mean.apply(x);
            }
        };
        var e = assertThrows(
                UnsupportedOperationException.class, () -> OnnxExport.export(withMean, new int[] {1, 1, 4, 4}, null));
        assertTrue(e.getMessage().startsWith("mean cannot be exported"), e.getMessage());
        assertArrayEquals(
                new int[] {1}, Mean.apply(Tensor.zeros(2, 2)).shape(), "outside an export, mean works as before");
    }

    /** The same model gives the same bytes whatever order its metadata map iterates in (a Map.of's order changes between JVMs). */
    @Test
    void theSameModelExportsToTheSameBytesWhateverTheMetadataOrder() {
        UNet net = new UNet(new UNetConfig(1, 3, 2, 4, true, false, 0f), new Rng(3));
        Map<String, String> forward = new LinkedHashMap<>(), backward = new LinkedHashMap<>();
        for (String k : new String[] {"command", "data", "patches", "steps"}) forward.put(k, k + " value");
        for (String k : new String[] {"steps", "patches", "data", "command"}) backward.put(k, k + " value");
        assertArrayEquals(
                OnnxExport.export(net, new int[] {1, 1, 32, 32}, forward),
                OnnxExport.export(net, new int[] {1, 1, 32, 32}, backward));
    }
}
