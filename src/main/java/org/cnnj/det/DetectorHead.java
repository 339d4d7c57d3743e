package org.cnnj.det;

import org.cnnj.nn.Init;
import org.cnnj.nn.Linear;
import org.cnnj.nn.Module;
import org.cnnj.ops.Relu;
import org.cnnj.ops.Reshape;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Second stage of the detector: ROI Align crops [K, F, P, P] → two fully connected layers → class
 * logits [K, classes + 1] (0 = background) and one class-agnostic box refinement [K, 4] per ROI
 * (deltas relative to the proposal, weights 10, 10, 5, 5). Class-agnostic regression needs fewer
 * parameters and learns from every foreground ROI, which suits small microscopy datasets.
 */
public final class DetectorHead extends Module {
    /** Box-delta weights of the head (Faster R-CNN's 10, 10, 5, 5). */
    public static final float[] DELTA_WEIGHTS = {10f, 10f, 5f, 5f};

    /** Head outputs for K ROIs. */
    public record Output(Tensor classLogits, Tensor boxDeltas) {}

    private final Linear fc1, fc2, classifier, regressor;

    public DetectorHead(DetectorConfig c, Rng rng) {
        fc1 = child(
                "fc1", new Linear(c.featureChannels() * c.roiSize() * c.roiSize(), c.hidden(), Init.HE_NORMAL, rng));
        fc2 = child("fc2", new Linear(c.hidden(), c.hidden(), Init.HE_NORMAL, rng));
        classifier = child("classifier", new Linear(c.hidden(), c.classes().size() + 1, Init.XAVIER_UNIFORM, rng));
        regressor = child("regressor", new Linear(c.hidden(), 4, Init.XAVIER_UNIFORM, rng));
        float[] w = regressor.weight.data();
        for (int i = 0; i < w.length; i++) w[i] *= 0.1f;
    }

    public Output heads(Tensor pooled) {
        Tensor h = Relu.apply(fc2.forward(Relu.apply(fc1.forward(Reshape.flatten(pooled)))));
        return new Output(classifier.forward(h), regressor.forward(h));
    }

    /** Class logits only (the {@link Module} contract); use {@link #heads} for both outputs. */
    @Override
    public Tensor forward(Tensor pooled) {
        return heads(pooled).classLogits();
    }
}
