package org.cnnj.cls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.data.Resize;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.ops.Softmax;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Applies a trained classifier: crops (any size; scaled to the model's S×S, bilinear) → class probabilities, with
 * ONNX Runtime (CPU/CUDA) or the Java engine; and, through the model's dense graph, class-probability maps of whole
 * images. {@code ImageClassifier.open(model, device).classify(crops)} is the whole API for scripts.
 */
public final class ImageClassifier implements AutoCloseable {
    /** One crop's result: the most probable class and every class's probability (softmax of the logits). */
    public record Prediction(int label, String className, float[] probabilities) {
        public float probability() {
            return probabilities[label];
        }
    }

    private final ClassifierSpec spec;
    private final Engine crops, dense;

    private ImageClassifier(ClassifierSpec spec, Engine crops, Engine dense) {
        this.spec = spec;
        this.crops = crops;
        this.dense = dense;
    }

    public static ImageClassifier open(Path model, Device device) throws IOException {
        return open(model, EngineKind.ORT, device, 0, line -> {});
    }

    public static ImageClassifier open(Path model, EngineKind engine, Device device, int threads, Consumer<String> log)
            throws IOException {
        Sidecars.refusePackage(model, "classifier", "trained with Train Classifier (./cnnj train-cls)");
        model = BuiltInModels.file(model);
        ClassifierSpec spec = ClassifierSpec.read(Sidecars.of(model));
        if (engine == EngineKind.JAVA) return java(loadNetwork(model, spec), spec);
        Path denseFile = model.resolveSibling(spec.dense());
        OrtEngine main = OrtEngine.open(model, device, threads, log);
        try {
            OrtEngine map = Files.isRegularFile(denseFile) ? OrtEngine.open(denseFile, device, threads, l -> {}) : null;
            return new ImageClassifier(spec, main, map);
        } catch (IOException | RuntimeException e) {
            main.close();
            throw e;
        }
    }

    /** A network in memory (validation, tests, scripts that just trained one). */
    public static ImageClassifier java(ClassifierNetwork net, ClassifierSpec spec) {
        net.train(false);
        Engine denseEngine = new Engine() {
            public Tensor run(Tensor x) {
                return GradMode.noGrad(() -> net.denseForward(x));
            }

            public String describe() {
                return "CNN-J Java engine";
            }

            public void close() {}
        };
        return new ImageClassifier(spec, new JavaEngine(net), denseEngine);
    }

    /** The trainable network inside a CNN-J classifier's ONNX file (fine-tuning, the Java engine). */
    public static ClassifierNetwork loadNetwork(Path model, ClassifierSpec spec) throws IOException {
        ClassifierConfig c = spec.architecture();
        ClassifierNetwork net = c.architecture().build(c, new Rng(0));
        JavaEngine.copyWeights(model, OnnxModelInfo.read(model).weights(), net);
        return net;
    }

    /**
     * Writes the classifier: model.onnx (crops [N, C, S, S] → logits [N, classes]), model.dense.onnx (the same weights
     * as a fully convolutional graph for images of any size) and model.json, each through a temporary file, the
     * sidecar last, so a model is never found half-written.
     */
    public static void save(ClassifierNetwork net, ClassifierSpec spec, Path model) throws IOException {
        int s = spec.inputSize(), c = spec.inputChannels();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("cnnj_task", ClassifierSpec.TASK);
        meta.put("classes", String.join(",", spec.classes()));
        int[] shape = {1, c, s, s};
        OnnxExport.exportGraph(net, shape, false, x -> Map.of("output", net.forward(x)), meta, model);
        Path dense = ClassifierSpec.denseOf(model);
        OnnxExport.exportGraph(net, shape, true, x -> Map.of("output", net.denseForward(x)), meta, dense);
        spec.savedAs(model, Map.of()).write(Sidecars.of(model));
    }

    public ClassifierSpec spec() {
        return spec;
    }

    public String describe() {
        return crops.describe();
    }

    /**
     * Classifies crops, each [C, h, w] in {@code channels} planes of {@code width}×{@code height} (scaled to S×S when
     * they differ); normalization as the model was trained, per crop.
     */
    public List<Prediction> classify(List<float[][]> cropPlanes, int width, int height) {
        List<Prediction> out = new ArrayList<>();
        int s = spec.inputSize(), c = spec.inputChannels(), batch = 32;
        for (int from = 0; from < cropPlanes.size(); from += batch) {
            int n = Math.min(batch, cropPlanes.size() - from);
            float[] x = new float[n * c * s * s];
            for (int i = 0; i < n; i++) {
                float[] crop = input(cropPlanes.get(from + i), width, height);
                System.arraycopy(crop, 0, x, i * crop.length, crop.length);
            }
            Tensor logits = crops.run(Tensor.of(x, n, c, s, s));
            int k = logits.dim(1);
            for (int i = 0; i < n; i++) {
                float[] p = softmax(logits.data(), i * k, k);
                int best = 0;
                for (int j = 1; j < k; j++) if (p[j] > p[best]) best = j;
                out.add(new Prediction(best, spec.classes().get(best), p));
            }
        }
        return out;
    }

    /** One crop's network input: scaled to S×S, normalized, laid out [C, S, S]. */
    float[] input(float[][] planes, int width, int height) {
        int s = spec.inputSize();
        if (planes.length != spec.inputChannels()) {
            throw new IllegalArgumentException("the classifier takes " + spec.inputChannels() + " channel(s) but the"
                    + " image has " + planes.length + "; convert it (Image › Color › Split/Merge Channels) to match");
        }
        float[] crop = new float[planes.length * s * s];
        for (int ch = 0; ch < planes.length; ch++) {
            float[] p = width == s && height == s ? planes[ch] : Resize.bilinear(planes[ch], width, height, s, s);
            System.arraycopy(p, 0, crop, ch * s * s, s * s);
        }
        return spec.normalization().apply(crop);
    }

    /**
     * Class-probability maps of a whole image (normalized as a whole): [classes][mh × mw], position (i, j) being the
     * S×S crop at (i·stride, j·stride). Needs the model's dense graph (model.dense.onnx).
     */
    public float[][] denseMap(float[][] planes, int width, int height, int[] mapSize) {
        if (dense == null) {
            throw new IllegalArgumentException("this classifier has no dense graph (" + spec.dense() + " next to the"
                    + " model); re-export it with CNN-J 0.2 or classify crops instead");
        }
        if (width < spec.inputSize() || height < spec.inputSize())
            throw new IllegalArgumentException("the image (" + width + "x" + height + ") is smaller than the"
                    + " classifier's " + spec.inputSize() + " px crops");
        int c = planes.length;
        float[] x = new float[c * width * height];
        for (int ch = 0; ch < c; ch++) System.arraycopy(planes[ch], 0, x, ch * width * height, width * height);
        Tensor logits = dense.run(Tensor.of(spec.normalization().apply(x), 1, c, height, width));
        int k = logits.dim(1), mh = logits.dim(2), mw = logits.dim(3);
        mapSize[0] = mw;
        mapSize[1] = mh;
        float[][] maps = new float[k][mh * mw];
        float[] v = new float[k];
        for (int i = 0; i < mh * mw; i++) {
            for (int j = 0; j < k; j++) v[j] = logits.data()[j * mh * mw + i];
            float[] p = softmax(v, 0, k);
            for (int j = 0; j < k; j++) maps[j][i] = p[j];
        }
        return maps;
    }

    static float[] softmax(float[] logits, int offset, int k) {
        float[] p = new float[k];
        Softmax.probabilities(logits, offset, k, p);
        return p;
    }

    @Override
    public void close() {
        crops.close();
        if (dense != null) dense.close();
    }
}
