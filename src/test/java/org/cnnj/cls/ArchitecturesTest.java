package org.cnnj.cls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ArchitecturesTest {
    static List<String> classes(int n) {
        List<String> c = new ArrayList<>();
        for (int i = 0; i < n; i++) c.add("class" + i);
        return c;
    }

    /** torchvision's own counts (torchvision.models.X(num_classes=1000), sum of p.numel() over parameters()). */
    @ParameterizedTest
    @CsvSource({
        "resnet18, 11689512",
        "resnet34, 21797672",
        "resnet50, 25557032",
        "vgg11, 132863336",
        "vgg13, 133047848",
        "vgg16, 138357544",
        "vgg19, 143667240",
        "vgg16-bn, 138365992",
        "alexnet, 61100840",
        "densenet121, 7978856",
        "densenet169, 14149480",
        "mobilenet-v2, 3504872",
        "googlenet, 6624904"
    })
    void parameterCountsEqualTorchvisionAtItsStandardConfiguration(String arch, long expected) {
        ClassifierConfig c = new ClassifierConfig(Architecture.parse(arch), 3, classes(1000), 224, 1.0, 0.5);
        assertEquals(expected, c.architecture().build(c, new Rng(1)).parameterCount(), arch);
    }

    /** Every family at a microscopy size: [N, C, S, S] → [N, classes], and gradients reach the first layer. */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void smallCropsTrainForwardAndBackward(Architecture a) {
        int size = Math.max(32, a.minimumInput());
        ClassifierConfig c = new ClassifierConfig(a, 1, classes(3), size, 0.125, 0.2);
        ClassifierNetwork net = a.build(c, new Rng(2));
        Rng r = new Rng(3);
        float[] pixels = new float[2 * size * size];
        for (int i = 0; i < pixels.length; i++) pixels[i] = r.normal();
        Tensor x = Tensor.of(pixels, 2, 1, size, size);
        Tensor y = net.forward(x);
        assertArrayEquals(new int[] {2, 3}, y.shape(), a.option());
        Autograd.backward(SoftmaxCrossEntropy.apply(y, new int[] {0, 2}));
        Tensor first = net.parameters().values().iterator().next();
        double g = 0;
        for (float v : first.grad()) g += Math.abs(v);
        assertTrue(
                g > 0,
                a.option() + ": no gradient reached "
                        + net.parameters().keySet().iterator().next());
    }

    @Test
    void refusesWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> Architecture.parse("resnet19"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ClassifierConfig(Architecture.VGG16, 1, classes(1), 32, 1, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ClassifierConfig(Architecture.VGG16, 1, classes(2), 16, 1, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ClassifierConfig(Architecture.VGG16, 1, List.of("a", "a"), 32, 1, 0));
    }
}
