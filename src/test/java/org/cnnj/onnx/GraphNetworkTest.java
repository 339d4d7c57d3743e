package org.cnnj.onnx;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.model.Sidecars;
import org.cnnj.nn.Module;
import org.cnnj.ops.LogSoftmax;
import org.cnnj.ops.Upsample;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.GradCheck;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A U-Net exported by PyTorch, rebuilt in Java: same outputs as ONNX Runtime, fine-tunable, exportable again. */
class GraphNetworkTest {
    private static final Path TORCH_UNET = Path.of("src/test/resources/external/torch_unet.onnx");

    @TempDir
    Path dir;

    @Test
    void javaForwardOfThePyTorchGraphEqualsOnnxRuntime() throws Exception {
        GraphNetwork net = GraphNetwork.load(TORCH_UNET);
        net.train(false);
        Tensor x = GradCheck.uniform(new Rng(2), 1, 1, 48, 40).requiresGrad(false);
        try (OrtEngine ort = OrtEngine.open(TORCH_UNET, Device.CPU, 1, m -> {})) {
            assertClose("PyTorch U-Net, Java vs ORT", ort.run(x), GradMode.noGrad(() -> net.forward(x)), 1e-4, 1e-4);
        }
        // PyTorch folded batch norm into the convolutions and renamed them (onnx::Conv_115 ...): the encoder is what
        // runs before the first up-convolution
        assertTrue(net.encoderParameters().size() >= 10, net.encoderParameters().toString());
        assertTrue(
                net.encoderParameters().stream().noneMatch(n -> n.startsWith("up") || n.startsWith("head")),
                net.encoderParameters().toString());
    }

    @Test
    void fineTunesAnExternalModelAndExportsItAgain() throws Exception {
        Path pairs = Files.createDirectories(dir.resolve("pairs"));
        Files.copy(Path.of("test-images/nuclei-1.tif"), pairs.resolve("a.tif"));
        int[] objects =
                TrainSegmentationFiles.load(Path.of("test-images"), null).get(0).labels();
        byte[] mask = new byte[objects.length];
        for (int i = 0; i < mask.length; i++) mask[i] = (byte) (objects[i] > 0 ? 1 : 0);
        Tiffs.save(new ImagePlus("mask", new ByteProcessor(256, 256, mask)), pairs.resolve("a-labels.tif"));
        Path from = Files.copy(TORCH_UNET, dir.resolve("torch_unet.onnx")), out = dir.resolve("tuned.onnx");
        List<Double> ious = new ArrayList<>();
        TrainSegmentationFiles.train(
                TrainSegmentationFiles.Options.of(pairs, out)
                        .withConfig(TrainConfig.defaults()
                                .withSchedule(4, 20)
                                .withBatches(4, 64)
                                .withLearningRate(1e-2)
                                .withValidation(0)
                                .withPatience(0)
                                .withSeed(1)
                                .withFreezeEncoder(true))
                        .withRecipe(SegmentationTrainer.Recipe.defaults()
                                .withTask(SegmentationTask.SEMANTIC, List.of("background", "nucleus"))
                                .withNetwork(2, 8, false, 0f)
                                .withFrom(from))
                        .withCommandLine("test")
                        .withValidationImages(pairs), // the one image also scores the epochs
                null,
                new TrainingListener() {
                    public void epoch(EpochReport e) {
                        ious.add(e.validationScore());
                    }
                });
        assertTrue(
                ious.get(ious.size() - 1) > 0.5 && ious.get(ious.size() - 1) > ious.get(0) - 0.05,
                "validation IoU per epoch " + ious);
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(out));
        assertEquals(List.of("background", "nucleus"), spec.classes());
        GraphNetwork before = GraphNetwork.load(from), after = GraphNetwork.load(out);
        // frozen encoder: its weights are unchanged; the decoder learned
        String enc = before.encoderParameters().get(0);
        Assertions.assertArrayEquals(
                before.parameters().get(enc).data(), after.parameters().get(enc).data());
        assertFalse(Arrays.equals(
                before.parameters().get("head.weight").data(),
                after.parameters().get("head.weight").data()));
        try (OrtEngine ort = OrtEngine.open(out, Device.CPU, 1, m -> {})) {
            assertEquals(2, ort.run(Tensor.zeros(1, 1, 32, 32)).dim(1));
        }
    }

    @Test
    void unsupportedOpsAreNamed() throws Exception {
        Module upsampler = new Module() {
            public Tensor forward(Tensor x) {
                return LogSoftmax.apply(x);
            }
        };
        Path file = dir.resolve("log-softmax.onnx");
        Files.write(file, OnnxExport.export(upsampler, new int[] {1, 1, 8, 8}, Map.of()));
        var e = assertThrows(IllegalArgumentException.class, () -> GraphNetwork.load(file));
        assertTrue(
                e.getMessage().contains("Resize") && e.getMessage().contains("cannot train in Java"), e.getMessage());
    }

    /** Upsampling as CNN-J (and PyTorch) export it — nearest asymmetric/floor, linear half_pixel — rebuilds exactly. */
    @Test
    void resizeNodesRebuildAsUpsampling() throws Exception {
        Module up = new Module() {
            public Tensor forward(Tensor x) {
                return Upsample.apply(Upsample.apply(x, 2, Upsample.Mode.NEAREST), 3, Upsample.Mode.BILINEAR);
            }
        };
        Path file = dir.resolve("resize.onnx");
        Files.write(file, OnnxExport.export(up, new int[] {1, 2, 5, 4}, Map.of()));
        GraphNetwork net = GraphNetwork.load(file);
        Rng rng = new Rng(8);
        float[] v = new float[2 * 2 * 5 * 4];
        for (int i = 0; i < v.length; i++) v[i] = rng.normal();
        Tensor x = Tensor.of(v, 2, 2, 5, 4);
        assertClose(
                "resized",
                up.forward(x).data(),
                GradMode.noGrad(() -> net.forward(x)).data(),
                1e-6,
                1e-6);
    }

    /** The detector's box head: Gemm layers and two graph outputs, both as ONNX Runtime computes them. */
    @Test
    void aGraphWithFullyConnectedLayersAndTwoOutputsRebuilds() throws Exception {
        Path head = Path.of("models/detector.head.onnx");
        GraphNetwork net = GraphNetwork.load(head);
        net.train(false);
        OnnxModelInfo info = OnnxModelInfo.read(head);
        long[] d = info.inputs().get(0).dims();
        int n = 3, c = (int) d[1], p = (int) d[2];
        float[] v = new float[n * c * p * p];
        Rng rng = new Rng(3);
        for (int i = 0; i < v.length; i++) v[i] = rng.normal();
        Tensor crops = Tensor.of(v, n, c, p, p);
        List<Tensor> ours = GradMode.noGrad(() -> net.forwardAll(crops));
        assertEquals(2, ours.size(), "class logits and box deltas");
        try (OrtEngine ort = OrtEngine.open(head, Device.CPU, 1, m -> {})) {
            List<Tensor> theirs = ort.runAll(crops);
            for (int k = 0; k < 2; k++)
                assertClose("output " + k, theirs.get(k).data(), ours.get(k).data(), 1e-4, 1e-4);
        }
    }

    private static OnnxModelInfo.Node node(String op, Object... attributes) {
        Map<String, Object> a = new LinkedHashMap<>();
        for (int i = 0; i < attributes.length; i += 2) a.put((String) attributes[i], attributes[i + 1]);
        return new OnnxModelInfo.Node(op, List.of("x"), List.of("y"), a);
    }

    private static String problems(OnnxModelInfo.Node n) {
        return String.join("; ", NodeAttributes.problems(List.of(n)));
    }

    /** Every attribute honoured or refused by name: the settings that would silently change the result are refused. */
    @Test
    void attributesThatWouldBeIgnoredAreRefusedByName() {
        long[] k3 = {3, 3}, pad1 = {1, 1, 1, 1};
        // Both divisors are honoured (the node tests check the values); a dilated average is refused.
        assertEquals("", problems(node("AveragePool", "kernel_shape", k3, "pads", pad1)));
        assertEquals("", problems(node("AveragePool", "kernel_shape", k3, "pads", pad1, "count_include_pad", 1L)));
        assertTrue(problems(node("AveragePool", "kernel_shape", k3, "dilations", new long[] {2, 2}))
                .contains("dilations"));
        assertTrue(problems(node("MaxPool", "kernel_shape", k3, "dilations", new long[] {2, 2}))
                .contains("dilations [2, 2]"));
        assertTrue(problems(node("BatchNormalization", "training_mode", 1L)).contains("training_mode=1"));
        assertTrue(
                problems(node("MaxPool", "kernel_shape", new long[] {3})).contains("1-D"),
                "1-D pooling is refused, not a crash");
        assertTrue(problems(node("Conv", "kernel_shape", k3, "fancy", 1L)).contains("attribute fancy"));
        // Concat's axis is checked on the tensors it joins (axis 0 is right for shape vectors, wrong for images):
        // ONNX's node tests (OnnxNodeTest) show those cases refused by name at run time.
        assertEquals("", problems(node("Concat", "axis", -3L)), "a negative channel axis is the channel axis");
        assertEquals(
                "",
                problems(node("Conv", "kernel_shape", k3, "strides", new long[] {2, 2}, "pads", pad1, "group", 1L)));
    }

    /** A cycle in the graph is named, as ONNX Runtime names it, instead of a NullPointerException in forward. */
    @Test
    void aCyclicGraphIsRefusedByName(@TempDir Path tmp) throws Exception {
        Path file = Files.write(tmp.resolve("cyclic.onnx"), HostileModels.cyclic());
        var e = assertThrows(IllegalArgumentException.class, () -> GraphNetwork.load(file));
        assertTrue(e.getMessage().contains("cyclic.onnx") && e.getMessage().contains("cycle"), e.getMessage());
    }
}
