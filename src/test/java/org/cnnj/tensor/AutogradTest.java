package org.cnnj.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.ops.Add;
import org.cnnj.ops.Addmm;
import org.cnnj.ops.Concat;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Convolution;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.Mean;
import org.cnnj.ops.Multiply;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Reshape;
import org.cnnj.ops.Sigmoid;
import org.junit.jupiter.api.Test;

/** The graph engine and the messages bad input gets: each names the op, the shapes and the fix. */
class AutogradTest {
    private static Tensor param(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void noGradRecordsNoGraph() {
        Tensor w = param(1, 2);
        Tensor y = GradMode.noGrad(() -> Sigmoid.apply(w));
        assertFalse(y.requiresGrad());
        assertTrue(Sigmoid.apply(w).requiresGrad());
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor w = param(0.5f);
        Tensor y = w;
        for (int i = 0; i < 100_000; i++) y = Add.apply(y, Tensor.of(new float[] {0f}, 1));
        Autograd.backward(Mean.apply(y));
        assertEquals(1f, w.grad()[0]);
    }

    private static String message(Runnable r) {
        return assertThrows(RuntimeException.class, r::run).getMessage();
    }

    @Test
    void shapeMismatchesNameOpShapesAndFix() {
        String conv = message(() -> Convolution.apply(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 1, 3, 3), null, 1, 1));
        assertTrue(
                conv.startsWith("conv2d:")
                        && conv.contains("[1, 3, 8, 8]")
                        && conv.contains("[4, 1, 3, 3]")
                        && conv.contains("channel"),
                conv);
        String small = message(() -> Convolution.apply(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 5, 5), null, 1, 0));
        assertTrue(small.contains("too small") && small.contains("padding"), small);
        String pool = message(() -> MaxPool2d.apply(Tensor.zeros(1, 1, 1, 1), PoolParams.of(2)));
        assertTrue(pool.startsWith("max_pool2d:"), pool);
        String rank = message(() -> Convolution.apply(Tensor.zeros(3, 8, 8), Tensor.zeros(4, 3, 3, 3), null, 1, 1));
        assertTrue(rank.contains("4-D") && rank.contains("[3, 8, 8]"), rank);
        String add = message(() -> Add.apply(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
        assertTrue(add.startsWith("add:") && add.contains("[2, 3]") && add.contains("[3, 2]"), add);
        String concat = message(() -> Concat.channels(Tensor.zeros(1, 2, 8, 8), Tensor.zeros(1, 2, 7, 8)));
        assertTrue(concat.contains("2^depth"), concat);
        String lin = message(() -> Addmm.apply(Tensor.zeros(2, 5), Tensor.zeros(3, 4), null));
        assertTrue(lin.startsWith("linear:") && lin.contains("5 features"), lin);
        String mul = message(() -> Multiply.apply(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(2, 2, 1, 1)));
        assertTrue(mul.startsWith("multiply:"), mul);
        String reshape = message(() -> Reshape.apply(Tensor.zeros(2, 3), 4, 2));
        assertTrue(reshape.startsWith("reshape:"), reshape);
        String groups = message(() ->
                Convolution.apply(Tensor.zeros(1, 3, 4, 4), Tensor.zeros(4, 1, 3, 3), null, ConvParams.of(1, 1, 1, 3)));
        assertTrue(groups.contains("groups"), groups);
    }

    @Test
    void zeroSizeDimensionsAreRejected() {
        String zero = message(() -> Tensor.zeros(2, 0, 4));
        assertTrue(zero.contains("dimension 1") && zero.contains("at least 1"), zero);
        String wrongLength = message(() -> Tensor.of(new float[5], 2, 3));
        assertTrue(wrongLength.contains("5 values") && wrongLength.contains("[2, 3]"), wrongLength);
    }

    @Test
    void nonFiniteLossAndAnomalyDetectionNameTheOp() {
        Tensor w = param(1f, Float.NaN);
        String loss = message(() -> Autograd.backward(Mean.apply(w)));
        assertTrue(loss.contains("mean") && loss.contains("NaN"), loss);
        GradMode.setAnomalyDetection(true);
        try {
            Tensor x = Tensor.of(new float[] {1, Float.POSITIVE_INFINITY, 3, 4}, 1, 1, 2, 2);
            String op = message(() ->
                    Convolution.apply(x, Tensor.of(new float[] {1}, 1, 1, 1, 1).requiresGrad(true), null, 1, 0));
            assertTrue(op.startsWith("conv2d: output") && op.contains("Infinity"), op);
        } finally {
            GradMode.setAnomalyDetection(false);
        }
    }

    @Test
    void backwardNeedsAScalarAndATrainableGraph() {
        String scalar = message(() -> Autograd.backward(Sigmoid.apply(param(1, 2))));
        assertTrue(scalar.contains("not a scalar"), scalar);
        String frozen = message(() -> Autograd.backward(Mean.apply(Tensor.of(new float[] {1, 2}, 2))));
        assertTrue(frozen.contains("frozen"), frozen);
    }

    @Test
    void backwardFromGradPropagatesTheSeededGradientLikeBackward() {
        Tensor a = param(0.5f, -1f, 2f), b = param(0.5f, -1f, 2f);
        float[] seed = {0.25f, -2f, 3f};
        Autograd.backward(Sigmoid.apply(a), seed);
        Tensor y = Sigmoid.apply(b);
        System.arraycopy(seed, 0, y.grad(), 0, seed.length);
        Autograd.backwardFromGrad(y);
        for (int i = 0; i < 3; i++) assertEquals(a.grad()[i], b.grad()[i], 0f);
        assertTrue(b.grad()[0] != 0f);
        String unseeded = message(() -> Autograd.backwardFromGrad(Sigmoid.apply(param(1f))));
        assertTrue(unseeded.contains("no gradient") && unseeded.contains("out.grad()"), unseeded);
    }
}
