package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Module;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.GlobalAvgPool;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.Multiply;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Upsample;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** The impulse probe finds the receptive field a network's layers add up to, and says when there is no finite one. */
class ReceptiveFieldTest {
    private static Conv2d conv(int k, int dilation, Rng rng) {
        return new Conv2d(1, 1, k, ConvParams.of(1, dilation * (k / 2), dilation, 1), true, Init.HE_NORMAL, rng);
    }

    @Test
    void addsUpConvolutionsPoolingAndDilation() {
        Rng rng = new Rng(1);
        Conv2d a = conv(3, 1, rng), b = conv(5, 2, rng); // radius 1, then 2·2 = 4
        Module net = new Module() {
            public Tensor forward(Tensor x) {
                Tensor y = Relu.apply(b.forward(Relu.apply(a.forward(x))));
                // 2×2 pooling and back: the probe sees the radius rounded to the pooling grid
                return Upsample.apply(MaxPool2d.apply(y, PoolParams.of(2)), 2, Upsample.Mode.NEAREST);
            }
        };
        int r = ReceptiveField.radius(new JavaEngine(net), 1, 16);
        assertEquals(true, r >= 5 && r <= 7, "radius " + r + " (1 + 4 from the convolutions, ±1 from the 2×2 grid)");
        Module plain = new Module() {
            public Tensor forward(Tensor x) {
                return b.forward(a.forward(x));
            }
        };
        assertEquals(5, ReceptiveField.radius(new JavaEngine(plain), 1, 16));
    }

    @Test
    void aGlobalOperationHasNoFiniteRadius() {
        Module net = new Module() {
            public Tensor forward(Tensor x) {
                return Multiply.apply(x, GlobalAvgPool.apply(x)); // every output pixel sees every input pixel
            }
        };
        assertEquals(-1, ReceptiveField.radius(new JavaEngine(net), 1, 16));
    }
}
