package org.cnnj.loss;

import static org.cnnj.testing.Close.assertClose;
import static org.cnnj.testing.GradCheck.check;
import static org.cnnj.testing.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Golden;
import org.cnnj.util.Parallel;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Loss values and gradients against PyTorch, finite differences, and label validation. */
class LossTest {
    private final Rng rng = new Rng(11);

    private static void assertLoss(Golden g, Tensor logits, Tensor loss, String gradKey) {
        assertEquals(g.scalar("loss"), loss.item(), 1e-5 + 1e-5 * Math.abs(g.scalar("loss")));
        Autograd.backward(loss);
        assertClose("gradient", g.floats(gradKey), logits.grad(), 1e-6, 1e-4);
    }

    @Test
    void crossEntropyWithClassWeightsAndIgnoreLabel() {
        Golden g = Golden.load("loss_cross_entropy");
        Tensor logits = g.tensor("logits").requiresGrad(true);
        assertLoss(
                g, logits, SoftmaxCrossEntropy.apply(logits, g.ints("labels"), g.floats("weights"), 255), "g_logits");
    }

    @Test
    void crossEntropyPlain() {
        Golden g = Golden.load("loss_cross_entropy_plain");
        Tensor logits = g.tensor("logits").requiresGrad(true);
        assertLoss(g, logits, SoftmaxCrossEntropy.apply(logits, g.ints("labels")), "g_logits");
    }

    @Test
    void softDice() {
        Golden g = Golden.load("loss_soft_dice");
        Tensor logits = g.tensor("logits").requiresGrad(true);
        assertLoss(g, logits, SoftDice.apply(logits, g.ints("labels"), 1f), "g_logits");
    }

    @Test
    void regressionAndBinaryLosses() {
        for (String name : new String[] {"loss_bce", "loss_mse", "loss_smooth_l1"}) {
            Golden g = Golden.load(name);
            Tensor x = g.tensor("x").requiresGrad(true), t = g.tensor("t");
            Tensor loss = switch (name) {
                case "loss_bce" -> BceWithLogits.apply(x, t);
                case "loss_mse" -> Mse.apply(x, t);
                default -> SmoothL1.apply(x, t, 0.5f);
            };
            assertLoss(g, x, loss, "g_x");
        }
    }

    /** The one-stage detector's losses against PyTorch's autograd of their formulas. */
    @Test
    void focalAndGiouMatchPyTorch() {
        Golden f = Golden.load("loss_focal");
        Tensor x = f.tensor("x").requiresGrad(true);
        assertLoss(f, x, SigmoidFocal.apply(x, f.floats("t"), f.floats("w"), 0.25f, 2f, 7f), "g_x");
        Golden g = Golden.load("loss_giou");
        Tensor raw = g.tensor("raw").requiresGrad(true);
        assertLoss(g, raw, GIoU.apply(raw, g.floats("target"), g.floats("w"), 3f), "g_raw");
    }

    @Test
    void finiteDifferences() {
        int[] labels = {0, 2, 1, 1, 2, 0, 0, 1, 2, 2, 1, 0};
        check(
                "cross entropy",
                t -> SoftmaxCrossEntropy.apply(t[0], labels, new float[] {1f, 2f, 0.5f}, 1),
                uniform(rng, 2, 3, 2, 3));
        check(
                "cross entropy, label smoothing 0.1",
                t -> SoftmaxCrossEntropy.apply(t[0], new int[] {2, 0, 1}, 0.1f),
                uniform(rng, 3, 4));
        check("soft dice", t -> SoftDice.apply(t[0], labels, 1f), uniform(rng, 2, 3, 3, 2));
        Tensor target = Tensor.of(new float[] {0, 1, 1, 0, 0.5f, 1}, 2, 3);
        check("bce", t -> BceWithLogits.apply(t[0], target), uniform(rng, 2, 3));
        check("mse", t -> Mse.apply(t[0], target), uniform(rng, 2, 3));
        check("smooth l1", t -> SmoothL1.apply(t[0], target, 0.3f), uniform(rng, 2, 3));
        float[] focalTargets = {1, 0, 0, 1, 0, 0}, focalWeights = {1, 1, 0, 1, 0.5f, 1};
        check("focal", t -> SigmoidFocal.apply(t[0], focalTargets, focalWeights, 0.25f, 2f, 2f), uniform(rng, 2, 3));
        float[] distances = {1.2f, 0.4f, 2f, 0.9f, 0.7f, 1.5f, 0.3f, 1.1f}, giouWeights = {1f, 0.4f};
        check("giou", t -> GIoU.apply(t[0], distances, giouWeights, 1.4f), uniform(rng, 1, 4, 1, 2));
    }

    @Test
    void labelOutsideTheClassesIsExplained() {
        Tensor logits = uniform(rng, 1, 3, 2, 2);
        var e = assertThrows(
                IllegalArgumentException.class, () -> SoftmaxCrossEntropy.apply(logits, new int[] {0, 1, 5, 2}));
        assertTrue(e.getMessage().contains("label 5") && e.getMessage().contains("3 classes"), e.getMessage());
        var size =
                assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.apply(logits, new int[] {0, 1}));
        assertTrue(size.getMessage().contains("size of the network output"), size.getMessage());
        var bce = assertThrows(
                IllegalArgumentException.class,
                () -> BceWithLogits.apply(uniform(rng, 2), Tensor.of(new float[] {0, 255}, 2)));
        assertTrue(bce.getMessage().contains("255"), bce.getMessage());
    }

    @Test
    void fullyIgnoredPatchGivesZeroLossAndGradient() {
        Tensor logits = uniform(rng, 1, 2, 1, 2);
        Tensor loss = SoftmaxCrossEntropy.apply(logits, new int[] {-1, -1}, null, -1);
        assertEquals(0f, loss.item());
        Autograd.backward(loss);
        assertClose("grad", new float[4], logits.grad(), 0, 0);
    }

    @Test
    void weightedFormsScoreOnlyTheSampledValues() {
        Tensor x = uniform(rng, 2, 3), t = Tensor.of(new float[] {1, 0, 1, 0, 0, 1}, 2, 3);
        float[] w = {1, 0, 2, 0, 1, 0};
        // By hand: Σ wᵢ·lᵢ / 4 over the three weighted positions.
        double bce = 0, l1 = 0;
        for (int i = 0; i < 6; i++) {
            float v = x.data()[i], d = Math.abs(v - t.data()[i]);
            bce += w[i] * (Math.max(v, 0) - v * t.data()[i] + Math.log1p(Math.exp(-Math.abs(v))));
            l1 += w[i] * (d < 0.5f ? 0.5 * d * d / 0.5 : d - 0.25);
        }
        assertEquals(bce / 4, BceWithLogits.apply(x, t, w, 4).item(), 1e-6);
        assertEquals(l1 / 4, SmoothL1.apply(x, t, w, 4, 0.5f).item(), 1e-6);
        check("weighted bce", in -> BceWithLogits.apply(in[0], t, w, 4), uniform(rng, 2, 3));
        check("weighted smooth l1", in -> SmoothL1.apply(in[0], t, w, 4, 0.5f), uniform(rng, 2, 3));
        Tensor z = uniform(rng, 2, 3);
        Autograd.backward(BceWithLogits.apply(z, t, w, 4));
        assertEquals(0f, z.grad()[1]);
        assertEquals(0f, z.grad()[5]);
    }

    /** More positions than one parallel block (3 × 4096 + a tail): a double-precision reference, same bits at 1 and 3 threads. */
    @Test
    void crossEntropyOverManyBlocksMatchesADoubleReferenceAtAnyThreadCount() {
        int n = 2, classes = 3, h = 70, w = 90, plane = h * w;
        Tensor logits = uniform(rng, n, classes, h, w);
        int[] labels = new int[n * plane];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 7 == 0 ? 255 : rng.nextInt(classes);
        float[] weights = {0.5f, 1f, 2f};
        double lossSum = 0, weightSum = 0;
        double[] grad = new double[logits.size()];
        float[] x = logits.data();
        for (int p = 0; p < labels.length; p++) {
            if (labels[p] == 255) continue;
            int base = (p / plane) * classes * plane + p % plane;
            double z = 0;
            for (int k = 0; k < classes; k++) z += Math.exp(x[base + k * plane]);
            lossSum -= weights[labels[p]] * (x[base + labels[p] * plane] - Math.log(z));
            weightSum += weights[labels[p]];
            for (int k = 0; k < classes; k++)
                grad[base + k * plane] +=
                        weights[labels[p]] * (Math.exp(x[base + k * plane]) / z - (k == labels[p] ? 1 : 0));
        }
        float[] expected = new float[grad.length];
        for (int i = 0; i < grad.length; i++) expected[i] = (float) (grad[i] / weightSum);
        int threads = Parallel.threads();
        float[][] losses = new float[2][], grads = new float[2][];
        try {
            for (int run = 0; run < 2; run++) {
                Parallel.setThreads(run == 0 ? 1 : 3);
                Tensor l = logits.detach().requiresGrad(true);
                Tensor loss = SoftmaxCrossEntropy.apply(l, labels, weights, 255);
                Autograd.backward(loss);
                losses[run] = new float[] {loss.item()};
                grads[run] = l.grad().clone();
            }
        } finally {
            Parallel.setThreads(threads);
        }
        assertEquals(lossSum / weightSum, losses[0][0], 1e-6 * Math.abs(lossSum / weightSum));
        assertClose("gradient", expected, grads[0], 1e-7, 1e-4);
        assertEquals(Float.floatToIntBits(losses[0][0]), Float.floatToIntBits(losses[1][0]));
        assertTrue(Arrays.equals(grads[0], grads[1]), "gradient differs between 1 and 3 threads");
    }
}
