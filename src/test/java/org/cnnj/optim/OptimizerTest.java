package org.cnnj.optim;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Golden;
import org.junit.jupiter.api.Test;

/** Three steps of each optimizer with fixed gradients against torch.optim. */
class OptimizerTest {
    private static void replay(String fixture, Function<Map<String, Tensor>, Optimizer> make) {
        Golden g = Golden.load(fixture);
        Tensor w = g.tensor("w0").requiresGrad(true);
        Optimizer opt = make.apply(Map.of("w", w));
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            float[] grad = g.floats("g" + i);
            System.arraycopy(grad, 0, w.grad(), 0, grad.length);
            opt.step();
            assertClose(fixture + " step " + (i + 1), g.floats("w" + (i + 1)), w.data(), 1e-6, 1e-5);
        }
    }

    @Test
    void sgdNesterovWithWeightDecay() {
        replay("optim_sgd", p -> new Sgd(p, new SgdConfig(0.1, 0.9, true, 0.01)));
    }

    @Test
    void sgdMomentum() {
        replay("optim_sgd_plain", p -> new Sgd(p, new SgdConfig(0.05, 0.8, false, 0)));
    }

    @Test
    void adamWithL2() {
        replay("optim_adam", p -> new Adam(p, new AdamConfig(0.01, 0.9, 0.99, 1e-8, 0.01, false)));
    }

    @Test
    void adamW() {
        replay("optim_adamw", p -> new Adam(p, AdamConfig.adamW(0.01, 0.05)));
    }

    @Test
    void frozenParametersAreNotUpdated() {
        Tensor trained = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true),
                frozen = Tensor.of(new float[] {3, 4}, 2).requiresGrad(true);
        Optimizer opt = new Adam(Map.of("a", trained, "b", frozen), AdamConfig.adam(0.1));
        trained.grad()[0] = 1;
        frozen.grad()[0] = 1;
        frozen.requiresGrad(false);
        opt.step();
        assertEquals(3f, frozen.data()[0]);
        assertTrue(trained.data()[0] < 1f);
    }

    @Test
    void nonFiniteGradientNamesTheParameter() {
        Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Optimizer opt = new Sgd(Map.of("enc0.conv.weight", w), new SgdConfig(0.1, 0, false, 0));
        w.grad()[1] = Float.NaN;
        var e = assertThrows(ArithmeticException.class, opt::step);
        assertTrue(
                e.getMessage().contains("enc0.conv.weight") && e.getMessage().contains("learning rate"),
                e.getMessage());
        assertEquals(2f, w.data()[1]);
    }

    @Test
    void schedules() {
        assertEquals(1.0, new LrSchedule.Constant().factor(99));
        assertEquals(0.25, new LrSchedule.Step(10, 0.5).factor(25), 1e-12);
        LrSchedule cos = new LrSchedule.Cosine(100, 0.1);
        assertEquals(1.0, cos.factor(0), 1e-12);
        assertEquals(0.55, cos.factor(50), 1e-12);
        assertEquals(0.1, cos.factor(100), 1e-12);
        assertEquals(0.1, cos.factor(1000), 1e-12);
        LrSchedule warm = new LrSchedule.Warmup(4, cos);
        assertEquals(0.2, warm.factor(0), 1e-12);
        assertEquals(0.8, warm.factor(3), 1e-12);
        assertEquals(1.0, warm.factor(4), 1e-12);
        assertFalse(warm.factor(54) > 0.56);
        assertEquals(0.01 * 0.25, new LrSchedule.Step(10, 0.5).lr(0.01, 20), 1e-15);
    }
}
