package org.cnnj.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.GradCheck;
import org.cnnj.testing.Ort;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several networks in one file whose output is the mean of theirs, for ONNX Runtime and the Java engine alike. */
class GraphAverageTest {
    @TempDir
    Path dir;

    private static byte[] unet(int depth, int filters, long seed) {
        UNet net = new UNet(new UNetConfig(1, 4, depth, filters, true, false, 0f), new Rng(seed));
        net.train(false);
        return OnnxExport.export(net, new int[] {1, 1, 32, 32}, Map.of("classes", "a,b,c,d"));
    }

    /** {@code model} rebuilt by the Java engine (saved as {@code name}), in inference mode. */
    private GraphNetwork javaNetwork(byte[] model, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, model);
        GraphNetwork java = GraphNetwork.load(file);
        java.train(false);
        return java;
    }

    @Test
    void theEnsembleOutputsTheMeanOfItsMembers() throws Exception {
        // different widths and depths: nothing but the input and the output shape has to agree
        byte[] a = unet(2, 8, 1), b = unet(3, 6, 2), c = unet(2, 8, 3);
        Tensor x = GradCheck.uniform(new Rng(4), 1, 1, 48, 64).requiresGrad(false);
        float[] oa = Ort.run(a, x), ob = Ort.run(b, x), oc = Ort.run(c, x);

        byte[] pair = GraphAverage.average(
                List.of(new GraphAverage.Member("a.onnx", a), new GraphAverage.Member("b.onnx", b)));
        float[] mean = new float[oa.length];
        for (int i = 0; i < mean.length; i++) mean[i] = (oa[i] + ob[i]) / 2;
        float[] ensemble = Ort.run(pair, x);
        assertTrue(Close.maxAbsDiff(mean, ensemble) <= 1e-5, "ORT: " + Close.maxAbsDiff(mean, ensemble));
        assertTrue(Close.maxAbsDiff(oa, ensemble) > 1e-3, "the second member changes the output");

        GraphNetwork java = javaNetwork(pair, "pair.onnx");
        float[] javaOut = GradMode.noGrad(() -> java.forward(x)).data();
        assertTrue(Close.maxAbsDiff(ensemble, javaOut) <= 1e-4, "Java vs ORT: " + Close.maxAbsDiff(ensemble, javaOut));

        byte[] three = GraphAverage.average(List.of(
                new GraphAverage.Member("a.onnx", a),
                new GraphAverage.Member("b.onnx", b),
                new GraphAverage.Member("c.onnx", c)));
        float[] out3 = Ort.run(three, x);
        for (int i = 0; i < out3.length; i++)
            assertEquals((oa[i] + ob[i] + oc[i]) / 3, out3[i], 1e-5, "three members, value " + i);
        OnnxModelInfo info = OnnxModelInfo.parse(three);
        assertEquals(1, info.inputs().size());
        assertEquals(
                OnnxModelInfo.parse(a).inputs().get(0).name(),
                info.inputs().get(0).name());
        assertEquals(
                OnnxModelInfo.parse(a).outputs().get(0).name(),
                info.outputs().get(0).name());
        // and the ensemble is an ordinary model: its weights can be stored at half size like any other
        Float16Weights.Result half = Float16Weights.convert(three);
        assertTrue(half.tensors() > 0);
        assertTrue(Close.maxAbsDiff(out3, Ort.run(half.model(), x)) < 1e-2);
    }

    /** Weighted: 0.3 a + 0.7 b in ONNX Runtime and the Java engine alike; weights that are not shares are refused. */
    @Test
    void aWeightedEnsembleOutputsTheWeightedMean() throws Exception {
        byte[] a = unet(2, 8, 1), b = unet(3, 6, 2);
        Tensor x = GradCheck.uniform(new Rng(5), 1, 1, 48, 64).requiresGrad(false);
        float[] oa = Ort.run(a, x), ob = Ort.run(b, x);
        List<GraphAverage.Member> pair =
                List.of(new GraphAverage.Member("a.onnx", a), new GraphAverage.Member("b.onnx", b));
        byte[] weighted = GraphAverage.average(pair, new double[] {0.3, 0.7});
        float[] out = Ort.run(weighted, x);
        for (int i = 0; i < out.length; i++) assertEquals(0.3 * oa[i] + 0.7 * ob[i], out[i], 1e-5, "value " + i);
        GraphNetwork java = javaNetwork(weighted, "weighted.onnx");
        float[] javaOut = GradMode.noGrad(() -> java.forward(x)).data();
        assertTrue(Close.maxAbsDiff(out, javaOut) <= 1e-4, "Java vs ORT: " + Close.maxAbsDiff(out, javaOut));
        assertTrue(
                java.parameters().containsKey(GraphAverage.SHARE + "1"),
                "the shares are named, so fine-tuning can keep them fixed");
        IllegalArgumentException sum =
                assertThrows(IllegalArgumentException.class, () -> GraphAverage.average(pair, new double[] {0.5, 0.6}));
        assertTrue(sum.getMessage().contains("add up to 1"), sum.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphAverage.average(pair, new double[] {1.2, -0.2}));
        assertThrows(IllegalArgumentException.class, () -> GraphAverage.average(pair, new double[] {1}));
    }

    @Test
    void refusesWhatItCannotCarryOverByName() {
        byte[] a = unet(2, 8, 1);
        var one = assertThrows(
                IllegalArgumentException.class,
                () -> GraphAverage.average(List.of(new GraphAverage.Member("a.onnx", a))));
        assertTrue(one.getMessage().contains("at least two"), one.getMessage());

        var twoInputs = assertThrows(
                IllegalArgumentException.class,
                () -> GraphAverage.average(List.of(
                        new GraphAverage.Member("a.onnx", a),
                        new GraphAverage.Member("two.onnx", relu(17, 2, false, false)))));
        assertTrue(twoInputs.getMessage().startsWith("two.onnx has 2 input(s)"), twoInputs.getMessage());

        var opsets = assertThrows(
                IllegalArgumentException.class,
                () -> GraphAverage.average(List.of(
                        new GraphAverage.Member("a.onnx", relu(17, 1, false, false)),
                        new GraphAverage.Member("old.onnx", relu(11, 1, false, false)))));
        assertTrue(opsets.getMessage().contains("old.onnx uses opsets {=11}"), opsets.getMessage());

        var external = assertThrows(
                IllegalArgumentException.class,
                () -> GraphAverage.average(List.of(
                        new GraphAverage.Member("a.onnx", a),
                        new GraphAverage.Member("big.onnx", relu(17, 1, true, false)))));
        assertTrue(
                external.getMessage().contains("big.onnx keeps its weights in a separate file"), external.getMessage());

        var subgraph = assertThrows(
                IllegalArgumentException.class,
                () -> GraphAverage.average(List.of(
                        new GraphAverage.Member("a.onnx", a),
                        new GraphAverage.Member("if.onnx", relu(17, 1, false, true)))));
        assertTrue(subgraph.getMessage().contains("if.onnx has a node with a subgraph"), subgraph.getMessage());
    }

    /**
     * A Relu model of {@code inputs} inputs (Relu of the first), optionally with an initializer kept in an external
     * file, or a node carrying a graph attribute.
     */
    private static byte[] relu(long opset, int inputs, boolean externalWeight, boolean subgraph) {
        Protobuf node = new Protobuf().string(1, "x0").string(2, "y").string(4, "Relu");
        if (subgraph)
            node.message(
                    5,
                    new Protobuf()
                            .string(1, "then_branch")
                            .message(6, new Protobuf())
                            .varint(20, 5));
        Protobuf graph = new Protobuf().message(1, node).string(2, "g");
        if (externalWeight)
            graph.message(
                    5,
                    new Protobuf()
                            .packedInt64(1, new long[] {1})
                            .varint(2, 1)
                            .string(8, "w")
                            .varint(14, 1));
        for (int i = 0; i < inputs; i++)
            graph.message(11, OnnxProto.valueInfo("x" + i, OnnxProto.FLOAT, new int[] {1, 1, 4, 4}, null));
        graph.message(12, OnnxProto.valueInfo("y", OnnxProto.FLOAT, new int[] {1, 1, 4, 4}, null));
        return new Protobuf()
                .varint(1, 8)
                .message(7, graph)
                .message(8, new Protobuf().string(1, "").varint(2, opset))
                .toByteArray();
    }
}
