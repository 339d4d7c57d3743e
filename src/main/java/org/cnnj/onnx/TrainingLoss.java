package org.cnnj.onnx;

import static org.cnnj.tensor.Trace.attrs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.tensor.Shapes;

/**
 * A loss as the training-step graph computes it: its value and its gradient with respect to the network's output,
 * written directly (the closed forms of {@code loss}'s backward), with the targets as graph inputs. The same
 * definitions as the Java losses, so the two engines train alike:
 *
 * <ul>
 *   <li>{@link CrossEntropy}: Σ w·(−Σₖ qₖ·log softmax(x)ₖ) / Σ w over positions, with target distributions q (one-hot,
 *       or label-smoothed) and per-position weights w (the class weight of the position's label; 0 ignores it) —
 *       loss.SoftmaxCrossEntropy with class weights, ignore label or label smoothing.
 *   <li>{@link BinaryCrossEntropy}: mean of max(x, 0) − x·t + log(1 + e^−|x|) — loss.BceWithLogits.
 *   <li>{@link Channels}: losses on consecutive channel ranges of one output, summed (the distance model: classes on
 *       channels 0..2, the distance on channel 3).
 *   <li>{@link OneStageDetection}: the one-stage detector's focal, centre-ness and GIoU losses — det.OneStageLoss.
 * </ul>
 */
public sealed interface TrainingLoss {
    /** Softmax cross-entropy over axis 1. Targets: "target" (distributions, the output's shape), "weight" [N, 1, …]. */
    record CrossEntropy() implements TrainingLoss {}

    /** Binary cross-entropy on logits, mean over all values. Target: "target" (the output's shape, in [0, 1]). */
    record BinaryCrossEntropy() implements TrainingLoss {}

    /** {@code loss} on channels [from, from + count) of the output. */
    record Part(int from, int count, TrainingLoss loss) {}

    /** Losses on channel ranges that cover the output's channels in order, summed; targets named "partI/…". */
    record Channels(List<Part> parts) implements TrainingLoss {
        public Channels {
            parts = List.copyOf(parts);
            int next = 0;
            for (Part p : parts) {
                if (p.from() != next || p.count() < 1) {
                    throw new IllegalArgumentException(
                            "training loss: channel parts must cover the output's channels in order, got " + parts);
                }
                next += p.count();
            }
        }
    }

    /**
     * The one-stage detector's loss (det.OneStageLoss, FCOS) on its pyramid levels laid end to end along the positions,
     * output [N, K + 5, P] (K class logits, a centre-ness logit, l, t, r, b as log-distances): sigmoid focal loss (α, γ)
     * on the class logits of every position and BCE on the centre-ness of the object positions, both divided by
     * max(1, Σ positive); 1 − GIoU of e^distances with the target distances, weighted by the centre-ness target and
     * divided by its sum. Targets: {@value #CLASSES} [N, K, P] (one-hot, zero for background), {@value #CENTRENESS}
     * [N, 1, P], {@value #DISTANCES} [N, 4, P] (in strides) and {@value #POSITIVE} [N, 1, P] (1 at object positions).
     */
    record OneStageDetection(int classes, float alpha, float gamma) implements TrainingLoss {
        public static final String CLASSES = "classes",
                CENTRENESS = "centreness",
                DISTANCES = "distances",
                POSITIVE = "positive";
    }

    /** The graph inputs this loss reads besides the output (name → shape), for an output of {@code outputShape}. */
    default Map<String, int[]> targets(int[] outputShape) {
        return targets(this, "", outputShape);
    }

    private static Map<String, int[]> targets(TrainingLoss loss, String prefix, int[] shape) {
        Map<String, int[]> t = new LinkedHashMap<>();
        if (loss instanceof Channels c) {
            for (int i = 0; i < c.parts().size(); i++) {
                Part p = c.parts().get(i);
                int[] s = shape.clone();
                s[1] = p.count();
                t.putAll(targets(p.loss(), prefix + "part" + i + "/", s));
            }
            return t;
        }
        if (loss instanceof OneStageDetection d) {
            int[] at = {shape[0], 0, shape[shape.length - 1]};
            for (String name : List.of(
                    OneStageDetection.CLASSES,
                    OneStageDetection.CENTRENESS,
                    OneStageDetection.DISTANCES,
                    OneStageDetection.POSITIVE)) {
                at = at.clone();
                at[1] = name.equals(OneStageDetection.CLASSES)
                        ? d.classes()
                        : name.equals(OneStageDetection.DISTANCES) ? 4 : 1;
                t.put(prefix + name, at);
            }
            return t;
        }
        t.put(prefix + "target", shape.clone());
        if (loss instanceof CrossEntropy) {
            int[] w = shape.clone();
            w[1] = 1;
            t.put(prefix + "weight", w);
        }
        return t;
    }

    /**
     * The {@link CrossEntropy} targets of integer labels, as loss.SoftmaxCrossEntropy reads them: {@code labels} [N·P]
     * (P positions per image, P = 1 for a classifier) → {target [N, classes, P], weight [N, 1, P]}. The weight of a
     * position is its label's class weight (1 without weights), 0 for {@code ignoreLabel}; with label smoothing ε the
     * target is (1 − ε)·onehot + ε/classes.
     */
    static float[][] crossEntropyTargets(
            int[] labels, int classes, int positions, float[] classWeights, float smoothing, int ignoreLabel) {
        int images = labels.length / positions;
        float[] target = new float[images * classes * positions], weight = new float[labels.length];
        for (int n = 0; n < images; n++) {
            for (int p = 0; p < positions; p++) {
                int label = labels[n * positions + p];
                if (label == ignoreLabel) continue;
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException(
                            "cross_entropy: label " + label + " is not a class in 0.." + (classes - 1));
                }
                weight[n * positions + p] = classWeights == null ? 1f : classWeights[label];
                for (int k = 0; k < classes; k++) {
                    target[(n * classes + k) * positions + p] = (k == label ? 1 - smoothing : 0f) + smoothing / classes;
                }
            }
        }
        return new float[][] {target, weight};
    }

    /** The loss (a scalar value) and the gradient of the output (its shape). */
    record Emitted(String loss, String gradient) {}

    /** Writes the loss of {@code output} and its gradient. */
    static Emitted emit(GraphBuilder g, TrainingLoss loss, String prefix, String output) {
        int[] shape = g.shape(output);
        if (loss instanceof OneStageDetection d) return OneStageLossGraph.emit(g, d, prefix, output);
        if (loss instanceof CrossEntropy) {
            String q = prefix + "target", w = prefix + "weight";
            int[] w1 = shape.clone();
            w1[1] = 1;
            String logp = g.op("LogSoftmax", attrs("axis", 1L), shape, output);
            String perPosition = g.op(
                    "Neg", w1, g.op("ReduceSum", attrs("keepdims", 1L), w1, g.op("Mul", shape, q, logp), g.longs(1)));
            String weightSum = g.op("ReduceSum", attrs("keepdims", 0L), new int[0], w);
            String value = g.op(
                    "Div",
                    new int[0],
                    g.op("ReduceSum", attrs("keepdims", 0L), new int[0], g.op("Mul", w1, w, perPosition)),
                    weightSum);
            String probabilities = g.op("Exp", shape, logp);
            String grad = g.op("Div", shape, g.op("Mul", shape, w, g.op("Sub", shape, probabilities, q)), weightSum);
            return new Emitted(value, grad);
        }
        if (loss instanceof BinaryCrossEntropy) {
            String t = prefix + "target";
            String value = g.op("ReduceMean", attrs("keepdims", 0L), new int[0], g.binaryCrossEntropy(output, t));
            float count = Shapes.size(shape);
            String grad =
                    g.op("Mul", shape, g.op("Sub", shape, g.op("Sigmoid", shape, output), t), g.scalar(1f / count));
            return new Emitted(value, grad);
        }
        {
            Channels c = (Channels) loss;
            List<String> values = new ArrayList<>(), grads = new ArrayList<>();
            for (int i = 0; i < c.parts().size(); i++) {
                Part p = c.parts().get(i);
                String part = g.channels(output, p.from(), p.count());
                Emitted e = emit(g, p.loss(), prefix + "part" + i + "/", part);
                values.add(e.loss());
                grads.add(e.gradient());
            }
            if (c.parts().stream().mapToInt(Part::count).sum() != shape[1]) {
                throw new IllegalArgumentException("training loss: the channel parts cover "
                        + c.parts().stream().mapToInt(Part::count).sum() + " of the output's " + shape[1]
                        + " channels");
            }
            String value = values.size() == 1 ? values.get(0) : g.op("Sum", new int[0], values.toArray(String[]::new));
            String grad = grads.size() == 1
                    ? grads.get(0)
                    : g.op("Concat", attrs("axis", 1L), shape, grads.toArray(String[]::new));
            return new Emitted(value, grad);
        }
    }
}
