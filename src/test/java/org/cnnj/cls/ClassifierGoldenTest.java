package org.cnnj.cls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.Golden;
import org.cnnj.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One member of each family against PyTorch (src/test/python/make_cls_golden.py, built from torchvision's own blocks
 * where it has them): the state dict maps onto CNN-J's parameter names one to one, and the logits agree.
 */
class ClassifierGoldenTest {
    @ParameterizedTest
    @CsvSource({
        "lenet5, 1, 32, 1",
        "alexnet, 1, 32, 0.0625",
        "vgg11-bn, 3, 32, 0.0625",
        "googlenet, 1, 64, 0.0625",
        "resnet18, 1, 64, 0.0625",
        "resnet50, 1, 64, 0.0625",
        "se-resnet18, 1, 64, 0.0625",
        "densenet121, 3, 64, 0.0625",
        "mobilenet-v1, 1, 32, 0.125",
        "mobilenet-v2, 3, 64, 0.1"
    })
    void logitsEqualPyTorchs(String arch, int channels, int size, double width) {
        Golden g = Golden.load("cls_" + arch);
        ClassifierConfig c = new ClassifierConfig(
                Architecture.parse(arch), channels, ArchitecturesTest.classes(3), size, width, 0.5);
        ClassifierNetwork net = c.architecture().build(c, new Rng(1));
        Set<String> ours = new TreeSet<>(), theirs = new TreeSet<>();
        net.parameters().forEach((name, t) -> {
            ours.add(name);
            System.arraycopy(g.floats("w/" + name), 0, t.data(), 0, t.size());
        });
        net.buffers().forEach((name, b) -> {
            ours.add(name);
            System.arraycopy(g.floats("w/" + name), 0, b, 0, b.length);
        });
        for (String k : g.all().keySet()) if (k.startsWith("w/")) theirs.add(k.substring(2));
        assertEquals(theirs, ours, arch + ": torchvision's state dict keys are CNN-J's parameter names");
        net.train(false);
        Tensor logits = GradMode.noGrad(() -> net.forward(g.tensor("input")));
        float[] expected = g.floats("logits");
        double diff = Close.maxAbsDiff(expected, logits.data()), scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        assertTrue(
                diff <= 1e-4 * Math.max(1, scale), arch + ": max |Java − PyTorch| " + diff + " at |logit| ≤ " + scale);
    }
}
