package org.cnnj.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.kernel.Kernels;
import org.cnnj.model.ModelSpec;
import org.cnnj.nn.Module;
import org.cnnj.nn.UNet;
import org.cnnj.onnx.GraphNetwork;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Runs a CNN-J U-Net in pure Java from its exported ONNX file: the sidecar's architecture rebuilds
 * the network and the ONNX initializers (named like the parameters) fill it. No native code; used as
 * the fallback where ONNX Runtime cannot load, and to cross-check it.
 */
public final class JavaEngine implements Engine {
    private final Module net;

    public JavaEngine(Module net) {
        this.net = net;
        net.train(false);
    }

    /**
     * A CNN-J model (its U-Net rebuilt from the sidecar's architecture), or a model from elsewhere: its ONNX
     * graph rebuilt node by node ({@link GraphNetwork}; ops or attributes it cannot honour are named).
     */
    public static JavaEngine open(Path model, ModelSpec spec) throws IOException {
        if (spec.architecture() != null) return new JavaEngine(loadUNet(model, spec));
        try {
            return new JavaEngine(GraphNetwork.load(model));
        } catch (IllegalArgumentException e) {
            throw new IOException("engine java: " + e.getMessage(), e);
        }
    }

    /** The trainable U-Net inside a CNN-J ONNX file (for fine-tuning). */
    public static UNet loadUNet(Path model, ModelSpec spec) throws IOException {
        if (spec.architecture() == null) {
            throw new IOException(
                    model + " was not trained by CNN-J (its sidecar has no architecture); run it with engine=ort");
        }
        OnnxModelInfo info = OnnxModelInfo.read(model);
        UNet net = new UNet(spec.architecture(), new Rng(0));
        copyWeights(model, info.weights(), net);
        return net;
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
