package org.cnnj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.ops.ConvParams;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Inference folds the batch norm into the convolution and applies the ReLU as it writes: same outputs. */
class ConvBnReluTest {
    @Test
    void foldedInferenceEqualsConvThenBatchNormThenRelu() {
        Rng rng = new Rng(21);
        // Direct path (stride 1), im2col path (stride 2), no ReLU, no batch norm, pointwise.
        ConvBnRelu[] blocks = {
            new ConvBnRelu(3, 16, 3, ConvParams.of(1, 1), true, true, rng),
            new ConvBnRelu(3, 8, 3, ConvParams.of(2, 1), true, true, rng),
            new ConvBnRelu(3, 8, 3, ConvParams.of(1, 1), true, false, rng),
            new ConvBnRelu(3, 8, 3, ConvParams.of(1, 1), false, true, rng),
            new ConvBnRelu(3, 8, 1, ConvParams.of(1, 0), true, true, rng),
        };
        for (ConvBnRelu block : blocks) {
            if (block.bn != null) {
                for (int c = 0; c < block.bn.runningMean.length; c++) {
                    block.bn.runningMean[c] = rng.normal();
                    block.bn.runningVar[c] = 0.2f + rng.uniform(0, 2);
                    block.bn.gamma.data()[c] = rng.uniform(-2, 2);
                    block.bn.beta.data()[c] = rng.normal();
                }
            }
            for (int i = 0; i < block.conv.bias.size(); i++) block.conv.bias.data()[i] = rng.normal();
            block.train(false);
            float[] xv = new float[2 * 3 * 20 * 24];
            for (int i = 0; i < xv.length; i++) xv[i] = rng.normal();
            Tensor x = Tensor.of(xv, 2, 3, 20, 24);
            Tensor separate = block.forward(x); // gradients on: conv, then batch norm and ReLU (one op or two)
            Tensor fused = GradMode.noGrad(() -> block.forward(x));
            assertTrue(separate.requiresGrad());
            assertFalse(fused.requiresGrad());
            assertArrayEquals(separate.shape(), fused.shape());
            float[] a = separate.data(), b = fused.data();
            int zeros = 0;
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5f * (1 + Math.abs(a[i])), "value " + i);
                if (b[i] == 0f) zeros++;
            }
            // The ReLU really ran where asked (and not where not): about half the outputs are clipped.
            String last = block.forward(x).op();
            assertEquals(last.equals("relu") || last.equals("batch_norm2d_relu"), zeros > a.length / 4, last);
        }
    }
}
