package org.cnnj.cls;

import java.util.function.UnaryOperator;
import org.cnnj.nn.BatchNorm2d;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Init;
import org.cnnj.nn.Sequential;
import org.cnnj.ops.AvgPool2d;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.MaxPool2d;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Relu6;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/** The few layer shapes the architectures repeat, built as torchvision builds them. */
final class Layers {
    private Layers() {}

    static Conv2d conv(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        return new Conv2d(in, out, kernel, ConvParams.of(stride, padding), bias, Init.HE_NORMAL, rng);
    }

    static Conv2d depthwise(int channels, int stride, Rng rng) {
        return new Conv2d(channels, channels, 3, ConvParams.of(stride, 1, 1, channels), false, Init.HE_NORMAL, rng);
    }

    /** torchvision's Conv2dNormActivation: "0" conv (no bias), "1" batch norm, "2" ReLU or ReLU6. */
    static Sequential convBnAct(Conv2d conv, int out, boolean relu6) {
        return new Sequential().add(conv).add(new BatchNorm2d(out)).add(relu6 ? Relu6::apply : Relu::apply);
    }

    static UnaryOperator<Tensor> maxPool(int kernel, int stride, int padding) {
        PoolParams p = PoolParams.of(kernel, stride, padding);
        return x -> MaxPool2d.apply(x, p);
    }

    static UnaryOperator<Tensor> avgPool(int kernel, int stride) {
        PoolParams p = PoolParams.of(kernel, stride, 0);
        return x -> AvgPool2d.apply(x, p);
    }
}
