package org.cnnj.onnx;

import static org.cnnj.tensor.Trace.attrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        if (loss instanceof OneStageDetection d) return OneStage.emit(g, d, prefix, output);
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
            String terms = g.op(
                    "Add",
                    shape,
                    g.op("Sub", shape, g.op("Relu", shape, output), g.op("Mul", shape, output, t)),
                    g.op("Softplus", shape, g.op("Neg", shape, g.op("Abs", shape, output))));
            String value = g.op("ReduceMean", attrs("keepdims", 0L), new int[0], terms);
            float count = Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y);
            String grad =
                    g.op("Mul", shape, g.op("Sub", shape, g.op("Sigmoid", shape, output), t), g.scalar(1f / count));
            return new Emitted(value, grad);
        }
        {
            Channels c = (Channels) loss;
            List<String> values = new ArrayList<>(), grads = new ArrayList<>();
            for (int i = 0; i < c.parts().size(); i++) {
                Part p = c.parts().get(i);
                int[] s = shape.clone();
                s[1] = p.count();
                String part = g.op("Slice", s, output, g.longs(p.from()), g.longs(p.from() + p.count()), g.longs(1));
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

    /** {@link OneStageDetection}'s value and gradient: the closed forms of det.OneStageLoss's three terms' backward. */
    final class OneStage {
        private final GraphBuilder g;
        private final int[] shape;

        private OneStage(GraphBuilder g, int[] shape) {
            this.g = g;
            this.shape = shape;
        }

        static Emitted emit(GraphBuilder g, OneStageDetection d, String prefix, String output) {
            int[] shape = g.shape(output);
            int k = d.classes();
            if (shape.length != 3 || shape[1] != k + 5) {
                throw new IllegalArgumentException("one-stage detection loss: the output must be [N, " + (k + 5)
                        + ", positions], got " + Arrays.toString(shape));
            }
            OneStage o = new OneStage(g, shape);
            String positive = prefix + OneStageDetection.POSITIVE, centreness = prefix + OneStageDetection.CENTRENESS;
            String objects = g.op("Max", new int[] {1}, o.total(positive), g.scalar(1f));
            String weight = g.op("Max", new int[] {1}, o.total(centreness), g.scalar(1e-6f));
            Emitted focal = o.focal(o.channels(output, 0, k), prefix + OneStageDetection.CLASSES, d, objects);
            Emitted ctr = o.centreness(o.channels(output, k, 1), centreness, positive, objects);
            Emitted box =
                    o.giou(o.channels(output, k + 1, 4), prefix + OneStageDetection.DISTANCES, centreness, weight);
            String value = g.op("Sum", new int[] {1}, focal.loss(), ctr.loss(), box.loss());
            String grad = g.op("Concat", attrs("axis", 1L), shape, focal.gradient(), ctr.gradient(), box.gradient());
            return new Emitted(value, grad);
        }

        /**
         * Sigmoid focal loss of logits x against one-hot t: Σ t·(−α·q^γ·log p) + (1 − t)·(−(1 − α)·p^γ·log q) / n with
         * p = σ(x), q = 1 − p; gradient t·α·q^γ·(γ·p·log p − q) + (1 − t)·(1 − α)·p^γ·(p − γ·q·log q), over n.
         */
        private Emitted focal(String x, String t, OneStageDetection d, String n) {
            int[] s = g.shape(x);
            float alpha = d.alpha(), gamma = d.gamma();
            String logP = g.op("Neg", s, softplus(g.op("Neg", s, x))), logQ = g.op("Neg", s, softplus(x));
            String p = g.op("Exp", s, logP), q = g.op("Exp", s, logQ), notT = g.op("Sub", s, g.scalar(1f), t);
            String pg = g.op("Pow", s, p, g.scalar(gamma)), qg = g.op("Pow", s, q, g.scalar(gamma));
            String positive = mul(g.scalar(-alpha), mul(qg, logP)),
                    negative = mul(g.scalar(-(1 - alpha)), mul(pg, logQ));
            String value = g.op("Div", new int[] {1}, total(add(mul(t, positive), mul(notT, negative))), n);
            String dPositive = mul(g.scalar(alpha), mul(qg, sub(mul(g.scalar(gamma), mul(p, logP)), q)));
            String dNegative = mul(g.scalar(1 - alpha), mul(pg, sub(p, mul(g.scalar(gamma), mul(q, logQ)))));
            return new Emitted(value, g.op("Div", s, add(mul(t, dPositive), mul(notT, dNegative)), n));
        }

        /** BCE of centre-ness logits c at the object positions m: Σ m·(max(c, 0) − c·t + log(1 + e^−|c|)) / n. */
        private Emitted centreness(String c, String t, String m, String n) {
            int[] s = g.shape(c);
            String terms = mul(
                    m, add(sub(g.op("Relu", s, c), mul(c, t)), g.op("Softplus", s, g.op("Neg", s, g.op("Abs", s, c)))));
            String value = g.op("Div", new int[] {1}, total(terms), n);
            return new Emitted(value, g.op("Div", s, mul(m, sub(g.op("Sigmoid", s, c), t)), n));
        }

        /**
         * Σ w·(1 − GIoU) / n of the boxes e^raw and q (distances l, t, r, b), where the weight w > 0, as loss.GIoU; per
         * side k, d(1 − GIoU)/d raw_k = −dGIoU/dp_k · p_k with GIoU = I/U − 1 + U/E, U = A_p + A_q − I: dGIoU/dp_k =
         * (I'·U − I·U')/U² + (U'·E − U·E')/E², I' = [p_k < q_k]·(other side's overlap), A_p' = other side's extent,
         * E' = [p_k > q_k]·(other side's enclosure). Elsewhere 0 (Where: an overflowing e^raw there stays out).
         */
        private Emitted giou(String raw, String q, String w, String n) {
            int[] s1 = {shape[0], 1, shape[2]};
            String e = g.op("Exp", g.shape(raw), raw);
            String[] p = new String[4], t = new String[4];
            for (int i = 0; i < 4; i++) {
                p[i] = channels(e, i, 1);
                t[i] = channels(q, i, 1);
            }
            String iw = add(min(p[0], t[0]), min(p[2], t[2])), ih = add(min(p[1], t[1]), min(p[3], t[3]));
            String ew = add(max(p[0], t[0]), max(p[2], t[2])), eh = add(max(p[1], t[1]), max(p[3], t[3]));
            String pw = add(p[0], p[2]), ph = add(p[1], p[3]);
            String inter = mul(iw, ih), enclose = mul(ew, eh);
            String union = sub(add(mul(pw, ph), mul(add(t[0], t[2]), add(t[1], t[3]))), inter);
            String giou = sub(div(inter, union), div(sub(enclose, union), enclose));
            String valid = g.op("Greater", null, w, g.scalar(0f)), zero = g.scalar(0f);
            String terms = g.op("Where", s1, valid, mul(w, sub(g.scalar(1f), giou)), zero);
            String value = g.op("Div", new int[] {1}, total(terms), n);
            String[] grads = new String[4];
            for (int k = 0; k < 4; k++) {
                boolean horizontal = k % 2 == 0;
                String dInter = mul(flag("Less", p[k], t[k]), horizontal ? ih : iw);
                String dEnclose = mul(flag("Greater", p[k], t[k]), horizontal ? eh : ew);
                String dUnion = sub(horizontal ? ph : pw, dInter);
                String dGiou = add(
                        div(sub(mul(dInter, union), mul(inter, dUnion)), mul(union, union)),
                        div(sub(mul(dUnion, enclose), mul(union, dEnclose)), mul(enclose, enclose)));
                String d = div(g.op("Neg", s1, mul(mul(w, dGiou), p[k])), n);
                grads[k] = g.op("Where", s1, valid, d, zero);
            }
            return new Emitted(value, g.op("Concat", attrs("axis", 1L), g.shape(raw), grads));
        }

        /** log(1 + e^x) without overflow: max(x, 0) + log(1 + e^−|x|). */
        private String softplus(String x) {
            int[] s = g.shape(x);
            return add(g.op("Relu", s, x), g.op("Softplus", s, g.op("Neg", s, g.op("Abs", s, x))));
        }

        private String channels(String x, int from, int count) {
            int[] s = g.shape(x).clone();
            s[1] = count;
            return g.op("Slice", s, x, g.longs(from), g.longs(from + count), g.longs(1));
        }

        private String total(String x) {
            return g.op("ReduceSum", attrs("keepdims", 0L), new int[0], x);
        }

        private String flag(String comparison, String a, String b) {
            return g.op("Cast", attrs("to", 1L), g.shape(a), g.op(comparison, null, a, b));
        }

        private String add(String a, String b) {
            return binary("Add", a, b);
        }

        private String sub(String a, String b) {
            return binary("Sub", a, b);
        }

        private String mul(String a, String b) {
            return binary("Mul", a, b);
        }

        private String div(String a, String b) {
            return binary("Div", a, b);
        }

        private String min(String a, String b) {
            return binary("Min", a, b);
        }

        private String max(String a, String b) {
            return binary("Max", a, b);
        }

        /** A broadcasting op's output shape: the larger of its inputs' (a scalar constant broadcasts). */
        private String binary(String type, String a, String b) {
            int[] sa = g.shape(a), sb = g.shape(b);
            return g.op(
                    type,
                    Arrays.stream(sa).asLongStream().reduce(1, (x, y) -> x * y)
                                    >= Arrays.stream(sb).asLongStream().reduce(1, (x, y) -> x * y)
                            ? sa
                            : sb,
                    a,
                    b);
        }
    }
}
