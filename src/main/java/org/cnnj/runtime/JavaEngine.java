package org.cnnj.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.kernel.Kernels;
import org.cnnj.nn.Module;
import org.cnnj.onnx.GraphNetwork;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;

/**
 * Runs a network in pure Java: one a task rebuilt from its sidecar's architecture (the ONNX initializers, named like the
 * parameters, fill it: {@link #copyWeights}), or any ONNX graph rebuilt node by node. No native code; used as the
 * fallback where ONNX Runtime cannot load, and to cross-check it.
 */
public final class JavaEngine implements Engine {
    private final Module net;

    public JavaEngine(Module net) {
        this.net = net;
        net.train(false);
    }

    /**
     * A model rebuilt from its ONNX graph node by node ({@link GraphNetwork}; ops or attributes it cannot honour are
     * named). A task whose models carry their architecture rebuilds its own network and passes it to the constructor.
     */
    public static JavaEngine open(Path model) throws IOException {
        try {
            return new JavaEngine(GraphNetwork.load(model));
        } catch (IllegalArgumentException e) {
            throw new IOException("engine java: " + e.getMessage(), e);
        }
    }

    /**
     * Copies each parameter and buffer of {@code net} from the same-named array of {@code weights}; a missing
     * or mis-sized one is an error naming the model file.
     */
    public static void copyWeights(Path model, Map<String, float[]> weights, Module net) throws IOException {
        Map<String, float[]> into = new LinkedHashMap<>();
        net.parameters().forEach((name, t) -> into.put(name, t.data()));
        into.putAll(net.buffers());
        for (Map.Entry<String, float[]> e : into.entrySet()) {
            float[] w = weights.get(e.getKey());
            if (w == null || w.length != e.getValue().length) {
                throw new IOException(model + " has no weights of the right size for " + e.getKey()
                        + "; the sidecar's architecture does not match the ONNX file");
            }
            System.arraycopy(w, 0, e.getValue(), 0, w.length);
        }
    }

    @Override
    public Tensor run(Tensor x) {
        return GradMode.noGrad(() -> net.forward(x));
    }

    @Override
    public String describe() {
        return "CNN-J Java engine (" + Kernels.describe() + ")";
    }

    @Override
    public void close() {
        // nothing native to release
    }
}
