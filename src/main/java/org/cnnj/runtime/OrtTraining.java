package org.cnnj.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.nn.Module;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.tensor.Tensor;

/**
 * Training steps of a CNN-J network run by ONNX Runtime — on CUDA where it works, else on the CPU — from the graph
 * {@link TrainingGraph} builds. The Java network and its Adam stay the owners of the weights: each step sends the
 * batch, the weights, Adam's moments and the running statistics in (ORT's Java API cannot keep tensors on the device
 * between runs), and writes what comes back into the same arrays, so checkpoints, resume, weight averaging, early
 * stopping and the export work as with the Java engine. The parameters are left without a gradient, so that the
 * training loop's {@code optimizer.step()} only counts the step the graph already took.
 */
public final class OrtTraining implements AutoCloseable {
    private final OrtSession session;
    private final TrainingGraph.Plan plan;
    private final Map<String, Tensor> parameters;
    private final Map<String, float[]> buffers;
    private final Adam adam;
    private final AdamConfig config;
    private final String description;
    private final Map<String, FloatBuffer> feeds = new HashMap<>();
    private final Map<String, float[]> gradients = new LinkedHashMap<>();

    private OrtTraining(OrtSession session, TrainingGraph.Plan plan, Module net, Adam adam, String description) {
        this.session = session;
        this.plan = plan;
        this.parameters = net.parameters();
        this.buffers = net.buffers();
        this.adam = adam;
        this.config = adam.config();
        this.description = description;
    }

    /** Whether ONNX Runtime here can run on CUDA (the GPU jar and a GPU with its libraries): the automatic choice. */
    public static boolean cudaWorks() {
        try (OrtSession.SessionOptions o =
                OrtEngine.placement(Device.CUDA, 0, line -> {}).options()) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The ONNX Runtime engine for a training, or null for the Java engine. {@code required} (the user chose ort): opened
     * on CUDA where it works, else on the CPU, and a model the graph cannot train fails with the op's name. Otherwise
     * (auto): only where CUDA works, and a model the graph cannot train is trained in Java, with one line saying why.
     */
    public static OrtTraining choose(
            boolean required, Module net, Adam adam, TrainingGraph.Step step, Consumer<String> log) throws IOException {
        if (!required && !cudaWorks()) return null;
        try {
            TrainingGraph.Plan plan = TrainingGraph.build(net, step, adam.config(), false);
            OrtTraining engine = open(net, adam, plan, Device.AUTO, log);
            log.accept("CNN-J: training steps run by " + engine.description());
            return engine;
        } catch (UnsupportedOperationException e) {
            if (required) throw e;
            log.accept("CNN-J: training in Java: " + e.getMessage());
            return null;
        }
    }

    /** Opens a built plan (a test asks for its gradients). */
    public static OrtTraining open(Module net, Adam adam, TrainingGraph.Plan plan, Device device, Consumer<String> log)
            throws IOException {
        OrtEnvironment env = OrtEngine.environment();
        OrtEngine.Placement placed = OrtEngine.placement(device, 0, log);
        try (OrtSession.SessionOptions options = placed.options()) {
            // The batches are sampled by Java threads while a step runs: ORT's threads must not spin-wait for work and
            // take the cores from them.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            OrtSession session = env.createSession(plan.model(), options);
            return new OrtTraining(
                    session, plan, net, adam, "onnxruntime " + env.getVersion() + " on " + placed.where());
        } catch (OrtException e) {
            throw new IOException(
                    "ONNX Runtime could not load the training step: " + e.getMessage()
                            + "; train with the Java engine (--train-engine java)",
                    e);
        }
    }

    /** "onnxruntime 1.29.0 on cuda:0". */
    public String description() {
        return description;
    }

    /**
     * One step on {@code input} (the batch, in the plan's input shape) with the loss's {@code targets} (by the names
     * the plan lists): the weights, Adam's moments and the running statistics are updated in place; returns the loss.
     */
    public float step(float[] input, Map<String, float[]> targets) {
        long t = adam.steps() + 1; // the loop's optimizer.step() counts this step after it
        float lr = (float) adam.learningRate();
        float bias1 = (float) (1 - Math.pow(config.beta1(), t));
        float bias2Sqrt = (float) Math.sqrt(1 - Math.pow(config.beta2(), t));
        Map<String, float[]> state = adam.state();
        List<OnnxTensor> open = new ArrayList<>();
        try {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            in.put(TrainingGraph.INPUT, feed(TrainingGraph.INPUT, input, plan.inputShape(), open));
            plan.targets().forEach((name, shape) -> {
                float[] values = targets.get(name);
                if (values == null) throw new IllegalArgumentException("training step: no values for " + name);
                in.put(name, feed(name, values, shape, open));
            });
            in.put(
                    TrainingGraph.STEP_SIZE,
                    feed(TrainingGraph.STEP_SIZE, new float[] {lr / bias1}, new int[] {1}, open));
            in.put(
                    TrainingGraph.BIAS2_SQRT,
                    feed(TrainingGraph.BIAS2_SQRT, new float[] {bias2Sqrt}, new int[] {1}, open));
            float decay = lr * (float) config.weightDecay();
            in.put(TrainingGraph.DECAY, feed(TrainingGraph.DECAY, new float[] {decay}, new int[] {1}, open));
            parameters.forEach((name, p) -> in.put(name, feed(name, p.data(), p.shape(), open)));
            for (String name : plan.trainable()) {
                int[] shape = parameters.get(name).shape();
                in.put(name + "/m", feed(name + "/m", state.get(name + "/m"), shape, open));
                in.put(name + "/v", feed(name + "/v", state.get(name + "/v"), shape, open));
            }
            for (String name : plan.buffers()) {
                float[] b = buffers.get(name);
                in.put(name, feed(name, b, new int[] {b.length}, open));
            }
            try (OrtSession.Result out = session.run(in)) {
                float loss = read(out, TrainingGraph.LOSS, new float[1])[0];
                for (String name : plan.trainable()) {
                    Tensor p = parameters.get(name);
                    read(out, name + ":new", p.data());
                    read(out, name + "/m:new", state.get(name + "/m"));
                    read(out, name + "/v:new", state.get(name + "/v"));
                    p.dropGrad();
                    if (plan.gradients()) gradients.put(name, read(out, name + ":grad", new float[p.size()]));
                }
                for (String name : plan.buffers()) read(out, name + ":new", buffers.get(name));
                return loss;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "ONNX Runtime training step failed: " + e.getMessage()
                            + "; train with the Java engine (--train-engine java)",
                    e);
        } finally {
            open.forEach(OnnxTensor::close);
        }
    }

    /** The gradients of the last step (a plan built with gradients), by parameter name. */
    public Map<String, float[]> gradients() {
        return gradients;
    }

    private OnnxTensor feed(String name, float[] values, int[] shape, List<OnnxTensor> open) {
        long size = 1;
        long[] dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) size *= dims[i] = shape[i];
        if (values.length != size) {
            throw new IllegalArgumentException(
                    "training step: " + name + " has " + values.length + " values for shape " + Arrays.toString(shape));
        }
        FloatBuffer b = feeds.get(name);
        if (b == null || b.capacity() != values.length) {
            b = ByteBuffer.allocateDirect(values.length * 4)
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            feeds.put(name, b);
        }
        b.clear();
        b.put(values).flip();
        try {
            OnnxTensor t = OnnxTensor.createTensor(OrtEngine.environment(), b, dims);
            open.add(t);
            return t;
        } catch (OrtException e) {
            throw new IllegalStateException("training step: ONNX Runtime refused " + name + ": " + e.getMessage(), e);
        }
    }

    private static float[] read(OrtSession.Result out, String name, float[] into) throws OrtException {
        OnnxTensor t = (OnnxTensor) out.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
        t.getFloatBuffer().get(into);
        return into;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing: nothing left to do
        }
    }
}
