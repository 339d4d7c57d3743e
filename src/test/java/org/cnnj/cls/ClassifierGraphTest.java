package org.cnnj.cls;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cnnj.onnx.GraphNetwork;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every family's ONNX export (Clip for ReLU6, Gemm, Flatten, GlobalAveragePool, Mul for squeeze-excitation, Concat,
 * BatchNormalization…) rebuilds as a trainable GraphNetwork that computes what the network computed.
 */
class ClassifierGraphTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void exportedClassifiersRebuildInJava(Architecture a) throws Exception {
        int size = a.ordinal() % 2 == 0 ? 64 : Math.max(32, a.minimumInput());
        ClassifierConfig c = new ClassifierConfig(a, 1, ArchitecturesTest.classes(3), size, 0.125, 0.3);
        ClassifierNetwork net = a.build(c, new Rng(11));
        ClassifierExportTest.randomStatistics(net, new Rng(12));
        net.train(false);
        Path file = dir.resolve(a.option() + ".onnx");
        Files.write(file, OnnxExport.export(net, new int[] {1, 1, size, size}, Map.of()));
        GraphNetwork rebuilt = GraphNetwork.load(file);
        rebuilt.train(false);
        Tensor x = ClassifierExportTest.random(new Rng(13), 2, 1, size, size);
        float[] expected = GradMode.noGrad(() -> net.forward(x)).data();
        float[] actual = GradMode.noGrad(() -> rebuilt.forward(x)).data();
        double diff = Close.maxAbsDiff(expected, actual);
        assertTrue(diff <= 1e-5, a.option() + ": rebuilt graph differs by " + diff);
    }
}
