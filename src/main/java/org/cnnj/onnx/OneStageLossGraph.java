package org.cnnj.onnx;

import static org.cnnj.tensor.Trace.attrs;

import java.util.Arrays;
import org.cnnj.tensor.Shapes;

/**
 * {@link TrainingLoss.OneStageDetection}'s value and gradient in the training-step graph: the closed forms of
 * det.OneStageLoss's three terms' backward (loss.SigmoidFocal, loss.BceWithLogits, loss.GIoU), in ONNX ops.
 */
final class OneStageLossGraph {
    private final GraphBuilder g;
    private final int[] shape;

    private OneStageLossGraph(GraphBuilder g, int[] shape) {
        this.g = g;
        this.shape = shape;
    }

    static TrainingLoss.Emitted emit(GraphBuilder g, TrainingLoss.OneStageDetection d, String prefix, String output) {
        int[] shape = g.shape(output);
        int k = d.classes();
        if (shape.length != 3 || shape[1] != k + 5) {
            throw new IllegalArgumentException("one-stage detection loss: the output must be [N, " + (k + 5)
                    + ", positions], got " + Arrays.toString(shape));
        }
        OneStageLossGraph o = new OneStageLossGraph(g, shape);
        String positive = prefix + TrainingLoss.OneStageDetection.POSITIVE,
                centreness = prefix + TrainingLoss.OneStageDetection.CENTRENESS;
        String objects = g.op("Max", new int[] {1}, o.total(positive), g.scalar(1f));
        String weight = g.op("Max", new int[] {1}, o.total(centreness), g.scalar(1e-6f));
        TrainingLoss.Emitted focal =
                o.focal(g.channels(output, 0, k), prefix + TrainingLoss.OneStageDetection.CLASSES, d, objects);
        TrainingLoss.Emitted ctr = o.centreness(g.channels(output, k, 1), centreness, positive, objects);
        TrainingLoss.Emitted box = o.giou(
                g.channels(output, k + 1, 4), prefix + TrainingLoss.OneStageDetection.DISTANCES, centreness, weight);
        String value = g.op("Sum", new int[] {1}, focal.loss(), ctr.loss(), box.loss());
        String grad = g.op("Concat", attrs("axis", 1L), shape, focal.gradient(), ctr.gradient(), box.gradient());
        return new TrainingLoss.Emitted(value, grad);
    }

    /**
     * Sigmoid focal loss of logits x against one-hot t: Σ t·(−α·q^γ·log p) + (1 − t)·(−(1 − α)·p^γ·log q) / n with
     * p = σ(x), q = 1 − p; gradient t·α·q^γ·(γ·p·log p − q) + (1 − t)·(1 − α)·p^γ·(p − γ·q·log q), over n.
     */
    private TrainingLoss.Emitted focal(String x, String t, TrainingLoss.OneStageDetection d, String n) {
        int[] s = g.shape(x);
        float alpha = d.alpha(), gamma = d.gamma();
        String logP = g.op("Neg", s, softplus(g.op("Neg", s, x))), logQ = g.op("Neg", s, softplus(x));
        String p = g.op("Exp", s, logP), q = g.op("Exp", s, logQ), notT = g.op("Sub", s, g.scalar(1f), t);
        String pg = g.op("Pow", s, p, g.scalar(gamma)), qg = g.op("Pow", s, q, g.scalar(gamma));
        String positive = mul(g.scalar(-alpha), mul(qg, logP)), negative = mul(g.scalar(-(1 - alpha)), mul(pg, logQ));
        String value = g.op("Div", new int[] {1}, total(add(mul(t, positive), mul(notT, negative))), n);
        String dPositive = mul(g.scalar(alpha), mul(qg, sub(mul(g.scalar(gamma), mul(p, logP)), q)));
        String dNegative = mul(g.scalar(1 - alpha), mul(pg, sub(p, mul(g.scalar(gamma), mul(q, logQ)))));
        return new TrainingLoss.Emitted(value, g.op("Div", s, add(mul(t, dPositive), mul(notT, dNegative)), n));
    }

    /** BCE of centre-ness logits c at the object positions m: Σ m·(max(c, 0) − c·t + log(1 + e^−|c|)) / n. */
    private TrainingLoss.Emitted centreness(String c, String t, String m, String n) {
        int[] s = g.shape(c);
        String value = g.op("Div", new int[] {1}, total(mul(m, g.binaryCrossEntropy(c, t))), n);
        return new TrainingLoss.Emitted(value, g.op("Div", s, mul(m, sub(g.op("Sigmoid", s, c), t)), n));
    }

    /**
     * Σ w·(1 − GIoU) / n of the boxes e^raw and q (distances l, t, r, b), where the weight w > 0, as loss.GIoU; per
     * side k, d(1 − GIoU)/d raw_k = −dGIoU/dp_k · p_k with GIoU = I/U − 1 + U/E, U = A_p + A_q − I: dGIoU/dp_k =
     * (I'·U − I·U')/U² + (U'·E − U·E')/E², I' = [p_k < q_k]·(other side's overlap), A_p' = other side's extent,
     * E' = [p_k > q_k]·(other side's enclosure). Elsewhere 0 (Where: an overflowing e^raw there stays out).
     */
    private TrainingLoss.Emitted giou(String raw, String q, String w, String n) {
        int[] s1 = {shape[0], 1, shape[2]};
        String e = g.op("Exp", g.shape(raw), raw);
        String[] p = new String[4], t = new String[4];
        for (int i = 0; i < 4; i++) {
            p[i] = g.channels(e, i, 1);
            t[i] = g.channels(q, i, 1);
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
        return new TrainingLoss.Emitted(value, g.op("Concat", attrs("axis", 1L), g.shape(raw), grads));
    }

    /** log(1 + e^x) without overflow: max(x, 0) + log(1 + e^−|x|). */
    private String softplus(String x) {
        int[] s = g.shape(x);
        return add(g.op("Relu", s, x), g.op("Softplus", s, g.op("Neg", s, g.op("Abs", s, x))));
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
        return g.op(type, Shapes.size(sa) >= Shapes.size(sb) ? sa : sb, a, b);
    }
}
