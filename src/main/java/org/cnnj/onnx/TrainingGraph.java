package org.cnnj.onnx;

import static org.cnnj.tensor.Trace.attrs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.cnnj.nn.Module;
import org.cnnj.optim.AdamConfig;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * One whole training step as one ONNX graph — forward, loss, backward and the Adam update — so that ONNX Runtime (on
 * CUDA where it works, on the CPU anywhere) trains a CNN-J network with no Python: the forward is traced from the
 * Java network in training mode (as {@link OnnxExport} traces inference), the loss and its gradient come from a
 * {@link TrainingLoss}, each traced op's backward from {@link Gradients}, and the update is Adam's (as
 * optim.Adam, in the same float operations). Shapes are fixed: one batch of one patch size.
 *
 * <p>Graph inputs: "input" (the batch), the loss's targets, every parameter (by its name) with its Adam moments
 * ("name/m", "name/v"), the running statistics (by their buffer names), and the step's scalars "step_size" (lr / (1 −
 * β1ᵗ)), "bias2_sqrt" (√(1 − β2ᵗ)) and "decay" (lr·λ, decoupled weight decay). Outputs: "loss", then "name:new",
 * "name/m:new", "name/v:new" for each trainable parameter, "buffer:new" for each running statistic, and with {@code
 * gradients} "name:grad".
 */
public final class TrainingGraph {
    /** What one step reads and writes; {@code model} is the serialized ONNX model. */
    public record Plan(
            byte[] model,
            int[] inputShape,
            List<String> trainable,
            List<String> frozen,
            List<String> buffers,
            Map<String, int[]> targets,
            boolean gradients) {
        public Plan {
            trainable = List.copyOf(trainable);
            frozen = List.copyOf(frozen);
            buffers = List.copyOf(buffers);
            targets = new LinkedHashMap<>(targets);
        }
    }

    /**
     * What a step trains on: batches of {@code inputShape} (N, C, H, W), scored by {@code loss} on what {@code
     * forward} makes of them (null: the model's own forward; a detector's, e.g., its pyramid levels as one tensor).
     */
    public record Step(int[] inputShape, TrainingLoss loss, Function<Tensor, Tensor> forward) {
        public Step(int[] inputShape, TrainingLoss loss) {
            this(inputShape, loss, null);
        }
    }

    public static final String INPUT = "input",
            LOSS = "loss",
            STEP_SIZE = "step_size",
            BIAS2_SQRT = "bias2_sqrt",
            DECAY = "decay";

    private TrainingGraph() {}

    /**
     * The training step of {@code model} on batches of {@code inputShape} with {@code loss} and Adam as {@code adam}
     * configures it (its learning rate comes in each step). Fails, naming the op, when the model uses an op the graph
     * cannot differentiate (e.g. dropout, which would draw other random numbers than Java's).
     */
    public static Plan build(Module model, int[] inputShape, TrainingLoss loss, AdamConfig adam, boolean gradients) {
        return build(model, new Step(inputShape, loss), adam, gradients);
    }

    /** {@link #build} of a step whose loss may score another forward than the model's own. */
    public static Plan build(Module model, Step step, AdamConfig adam, boolean gradients) {
        int[] inputShape = step.inputShape();
        Function<Tensor, Tensor> forward = step.forward() != null ? step.forward() : model::forward;
        Map<String, float[]> buffers = model.buffers();
        Map<String, float[]> before = new LinkedHashMap<>();
        buffers.forEach((k, v) -> before.put(k, v.clone()));
        boolean wasTraining = model.isTraining();
        model.train(true);
        Recorder recorder = new Recorder(model);
        Tensor input = Tensor.zeros(inputShape);
        recorder.names.put(input, INPUT);
        Tensor output;
        try {
            output = GradMode.noGrad(() -> Trace.with(recorder, () -> forward.apply(input)));
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException(
                    "the ONNX Runtime training engine cannot train this model: " + e.getMessage()
                            + "; train it with the Java engine (--train-engine java)",
                    e);
        } finally {
            // The traced forward ran in training mode: undo its update of the running statistics.
            before.forEach((k, v) -> System.arraycopy(v, 0, buffers.get(k), 0, v.length));
            model.train(wasTraining);
        }
        String outputName = recorder.names.get(output);
        if (outputName == null) throw new IllegalStateException("training graph: the output was not traced");
        return recorder.finish(outputName, inputShape, step.loss(), adam, gradients);
    }

    private static final class Recorder implements Trace.Recorder {
        final Map<Object, String> names = new IdentityHashMap<>();
        final GraphBuilder g = new GraphBuilder();
        final List<Gradients.Node> nodes = new ArrayList<>();
        final Map<String, Tensor> parameters;
        final Map<String, float[]> buffers;
        final Set<String> needsGrad = new HashSet<>();
        int counter;

        Recorder(Module model) {
            parameters = model.parameters();
            buffers = model.buffers();
            parameters.forEach((k, t) -> {
                names.put(t, k);
                g.declare(k, t.shape());
                if (t.requiresGrad()) needsGrad.add(k);
            });
            buffers.forEach((k, b) -> {
                names.put(b, k);
                g.declare(k, new int[] {b.length});
            });
        }

        @Override
        public void node(String opType, Tensor output, Map<String, Object> attributes, Object... inputs) {
            String[] in = new String[inputs.length];
            boolean grad = false;
            for (int i = 0; i < inputs.length; i++) {
                in[i] = nameOf(inputs[i]);
                grad |= needsGrad.contains(in[i]);
            }
            String out = "t" + counter++;
            names.put(output, out);
            g.declare(out, output.shape());
            if (grad) needsGrad.add(out);
            nodes.add(new Gradients.Node(opType, in, out, attributes));
        }

        private String nameOf(Object input) {
            if (input instanceof String s) return s;
            String known = names.get(input);
            if (known != null) return known;
            String name;
            if (input instanceof Tensor t) name = g.constant(t.data(), t.shape());
            else if (input instanceof float[] f) name = g.constant(f, f.length);
            else if (input instanceof Float f) name = g.scalar(f);
            else if (input instanceof long[] l) name = g.longs(l);
            else throw new IllegalArgumentException("training graph: cannot use an input of type " + input.getClass());
            names.put(input, name);
            return name;
        }

        Plan finish(String output, int[] inputShape, TrainingLoss loss, AdamConfig adam, boolean gradients) {
            g.declare(INPUT, inputShape);
            Gradients rules = new Gradients(g, needsGrad);
            for (Gradients.Node n : nodes) rules.forward(n);
            Map<String, int[]> targets = loss.targets(g.shape(output));
            targets.forEach(g::declare);
            TrainingLoss.Emitted emitted = TrainingLoss.emit(g, loss, "", output);
            rules.accumulate(output, emitted.gradient());
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Gradients.Node n = nodes.get(i);
                if (!needsGrad.contains(n.output())) continue;
                String dy = rules.total(n.output());
                if (dy != null) rules.backward(n, dy);
            }
            List<Protobuf> inputs = new ArrayList<>(), outputs = new ArrayList<>();
            inputs.add(info(INPUT, inputShape));
            targets.forEach((name, shape) -> inputs.add(info(name, shape)));
            for (String s : new String[] {STEP_SIZE, BIAS2_SQRT, DECAY}) inputs.add(info(s, new int[] {1}));
            g.opNamed(LOSS, "Reshape", attrs(), new int[] {1}, emitted.loss(), g.longs(1));
            outputs.add(info(LOSS, new int[] {1}));
            List<String> trainable = new ArrayList<>(), frozen = new ArrayList<>();
            Adam update = new Adam(g, adam);
            parameters.forEach((name, t) -> {
                inputs.add(info(name, t.shape()));
                if (!t.requiresGrad()) {
                    frozen.add(name);
                    return;
                }
                trainable.add(name);
                inputs.add(info(name + "/m", t.shape()));
                inputs.add(info(name + "/v", t.shape()));
                String grad = rules.total(name);
                String[] next = grad == null
                        ? new String[] {name, name + "/m", name + "/v"} // unused by the loss: unchanged, as in Java
                        : update.step(name, grad);
                String[] suffix = {":new", "/m:new", "/v:new"};
                for (int k = 0; k < 3; k++) {
                    g.opNamed(name + suffix[k], "Identity", attrs(), t.shape(), next[k]);
                    outputs.add(info(name + suffix[k], t.shape()));
                }
            });
            List<String> bufferNames = new ArrayList<>();
            buffers.forEach((name, b) -> {
                inputs.add(info(name, new int[] {b.length}));
                bufferNames.add(name);
                String next = rules.bufferUpdates().getOrDefault(name, name);
                g.opNamed(name + ":new", "Identity", attrs(), new int[] {b.length}, next);
                outputs.add(info(name + ":new", new int[] {b.length}));
            });
            if (gradients) {
                for (String name : trainable) {
                    String grad = rules.total(name);
                    int[] shape = g.shape(name);
                    String value = grad != null ? grad : g.op("Mul", shape, name, g.scalar(0f));
                    g.opNamed(name + ":grad", "Identity", attrs(), shape, value);
                    outputs.add(info(name + ":grad", shape));
                }
            }
            byte[] model = OnnxProto.model(
                    OnnxProto.graph("training_step", g.nodes, g.initializers.values(), inputs, outputs),
                    Map.of("cnnj.graph", "training step"));
            return new Plan(model, inputShape, trainable, frozen, bufferNames, targets, gradients);
        }

        private static Protobuf info(String name, int[] shape) {
            return OnnxProto.valueInfo(name, OnnxProto.FLOAT, shape, null);
        }
    }

    /**
     * Adam / AdamW as optim.Adam, in its float operations: w ← w − decay·w (decoupled) or g ← g + λw (L2); m ← β1·m +
     * (1 − β1)·g; v ← β2·v + (1 − β2)·g²; w ← w − step_size·m / (√v / bias2_sqrt + ε).
     */
    private record Adam(GraphBuilder g, AdamConfig config) {
        String[] step(String w, String grad) {
            int[] s = g.shape(w);
            float b1 = (float) config.beta1(), b2 = (float) config.beta2(), wd = (float) config.weightDecay();
            String weight = w, gradient = grad;
            if (wd != 0) {
                if (config.decoupled()) weight = g.op("Sub", s, w, g.op("Mul", s, DECAY, w));
                else gradient = g.op("Add", s, grad, g.op("Mul", s, g.scalar(wd), w));
            }
            String m =
                    g.op("Add", s, g.op("Mul", s, g.scalar(b1), w + "/m"), g.op("Mul", s, g.scalar(1 - b1), gradient));
            String v = g.op(
                    "Add",
                    s,
                    g.op("Mul", s, g.scalar(b2), w + "/v"),
                    g.op("Mul", s, g.op("Mul", s, g.scalar(1 - b2), gradient), gradient));
            String denominator =
                    g.op("Add", s, g.op("Div", s, g.op("Sqrt", s, v), BIAS2_SQRT), g.scalar((float) config.eps()));
            String next = g.op("Sub", s, weight, g.op("Div", s, g.op("Mul", s, STEP_SIZE, m), denominator));
            return new String[] {next, m, v};
        }
    }
}
