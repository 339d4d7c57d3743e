package org.cnnj.cls;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.nn.Init;
import org.cnnj.nn.Linear;
import org.cnnj.nn.Module;
import org.cnnj.ops.AvgPool2d;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Convolution;
import org.cnnj.ops.Dropout;
import org.cnnj.ops.GlobalAvgPool;
import org.cnnj.ops.PoolParams;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Reshape;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * An image classifier: convolutional {@link #features} [N, C, S, S] → [N, F, h, w], then either flattened
 * (LeNet, AlexNet, VGG) or globally averaged (GoogLeNet, ResNet, DenseNet, MobileNet), then a head of fully
 * connected layers → logits [N, classes]. Parameter names follow torchvision's (conv1.weight, layer1.0.bn1.bias,
 * classifier.6.weight…), so a torchvision state dict maps onto them one to one.
 *
 * <p>{@link #denseForward} is the same network with its fully connected head turned into convolutions (the first
 * FC layer becomes an h×w convolution, the others 1×1; global averaging becomes an h×w average pool with stride 1):
 * on an image larger than S it yields a class-logit map [N, classes, H', W'] whose every position equals classifying
 * the S×S crop there, with the features' total stride between positions.
 */
public abstract class ClassifierNetwork extends Module {
    /** How the feature map becomes the head's input vector. */
    public enum Pooling {
        FLATTEN,
        GLOBAL_AVERAGE
    }

    private record Step(Linear dense, float dropout, boolean relu) {}

    protected final ClassifierConfig config;
    private final Pooling pooling;
    private final List<Step> head = new ArrayList<>();
    private final Rng dropoutRng;
    private int[] featureShape;
    private int denseStride;

    protected ClassifierNetwork(ClassifierConfig config, Pooling pooling, Rng rng) {
        this.config = config;
        this.pooling = pooling;
        this.dropoutRng = rng.split();
    }

    /** The convolutional part: [N, C, S, S] → [N, F, h, w]. */
    protected abstract Tensor features(Tensor x);

    public ClassifierConfig config() {
        return config;
    }

    /** [F, h, w] of the features at the configured input size (measured once by running them on zeros). */
    protected final int[] featureShape() {
        if (featureShape == null) featureShape = measure(config.inputSize());
        return featureShape.clone();
    }

    private int[] measure(int size) {
        boolean wasTraining = isTraining();
        train(false);
        try {
            Tensor f = GradMode.noGrad(() -> features(Tensor.zeros(1, config.inputChannels(), size, size)));
            return new int[] {f.dim(1), f.dim(2), f.dim(3)};
        } finally {
            train(wasTraining);
        }
    }

    /** Inputs of the first fully connected layer: F·h·w when flattening, F when averaging. */
    protected final int headInputs() {
        int[] f = featureShape();
        return pooling == Pooling.FLATTEN ? f[0] * f[1] * f[2] : f[0];
    }

    /** Adds a fully connected layer named as torchvision names it ("fc", "classifier.6"), with dropout before it and ReLU after it. */
    protected final Linear fullyConnected(
            String name, int in, int out, float dropoutBefore, boolean reluAfter, Rng rng) {
        Linear d = child(name, new Linear(in, out, reluAfter ? Init.HE_UNIFORM : Init.XAVIER_UNIFORM, rng));
        head.add(new Step(d, dropoutBefore, reluAfter));
        return d;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor f = features(x);
        Tensor v = Reshape.flatten(pooling == Pooling.GLOBAL_AVERAGE ? GlobalAvgPool.apply(f) : f);
        for (Step s : head) {
            if (s.dropout > 0) v = Dropout.apply(v, s.dropout, isTraining(), dropoutRng);
            v = s.dense.forward(v);
            if (s.relu) v = Relu.apply(v);
        }
        return v;
    }

    /** The fully convolutional form: [N, C, H, W] (H, W ≥ S) → class logits [N, classes, H', W'] (inference). */
    public Tensor denseForward(Tensor x) {
        int[] fs = featureShape();
        Tensor v = features(x);
        if (pooling == Pooling.GLOBAL_AVERAGE) v = AvgPool2d.apply(v, new PoolParams(fs[1], fs[2], 1, 1, 0, 0));
        boolean first = true;
        for (Step s : head) {
            Tensor w = s.dense.weight;
            int out = w.dim(0);
            // The first FC layer reads the flattened [F, h, w] block (row-major, as Flatten lays it out): its weight
            // row is exactly an F×h×w convolution kernel. Later layers (and any layer after averaging) are 1×1.
            Tensor kernel = first && pooling == Pooling.FLATTEN
                    ? Reshape.apply(w, out, fs[0], fs[1], fs[2])
                    : Reshape.apply(w, out, w.dim(1), 1, 1);
            v = Convolution.apply(v, kernel, s.dense.bias, ConvParams.of(1, 0));
            if (s.relu) v = Relu.apply(v);
            first = false;
        }
        return v;
    }

    /** Pixels between neighbouring positions of {@link #denseForward}'s map: the features' total stride. */
    public final int denseStride() {
        if (denseStride == 0) { // measured when asked (saving, dense maps), not at every construction
            int at = featureShape()[1], larger = measure(config.inputSize() + 32)[1];
            denseStride = larger > at ? 32 / (larger - at) : config.inputSize();
        }
        return denseStride;
    }

    /** Names of the head's parameters (the rest is the feature extractor, frozen by --freeze-features). */
    public final List<String> headParameters() {
        List<String> names = new ArrayList<>();
        children().forEach((name, m) -> {
            for (Step s : head) if (s.dense == m) m.parameters().keySet().forEach(k -> names.add(name + "." + k));
        });
        return names;
    }
}
