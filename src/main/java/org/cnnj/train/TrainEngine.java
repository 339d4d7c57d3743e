package org.cnnj.train;

import java.io.IOException;
import java.util.Locale;
import java.util.function.Consumer;
import org.cnnj.nn.Module;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.optim.Adam;
import org.cnnj.optim.Optimizer;
import org.cnnj.runtime.OrtTraining;

/**
 * What computes the training steps: CNN-J's own Java autograd, or ONNX Runtime running the whole step as one ONNX
 * graph (on CUDA where it works, else on the CPU). AUTO takes ONNX Runtime when CUDA works and Java otherwise (on a
 * CPU the Java engine is the faster one), and falls back to Java, saying why, for a model the graph cannot train.
 */
public enum TrainEngine {
    AUTO,
    JAVA,
    ORT;

    public static TrainEngine parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("train engine \"" + text + "\" is not one of auto, java, ort");
        }
    }

    /**
     * ONNX Runtime's engine for {@code step} when this choice takes it (ORT; AUTO where CUDA works), else null: the
     * Java engine. The training graph updates with Adam(W): with another optimizer ORT fails and AUTO trains in Java.
     */
    public OrtTraining open(Module net, Optimizer optimizer, TrainingGraph.Step step, TrainingListener listener)
            throws IOException {
        if (this == JAVA) return null;
        if (!(optimizer instanceof Adam adam)) {
            if (this == AUTO) return null;
            throw new IllegalArgumentException("the ONNX Runtime training engine updates with AdamW; choose optimizer"
                    + " adamw, or train with SGD on the Java engine (--train-engine java)");
        }
        return OrtTraining.choose(this == ORT, net, adam, step, log(listener));
    }

    /**
     * For a model that only the Java engine trains ({@code what} cannot be trained by the graph, {@code why}): ORT
     * fails with the way out; AUTO, where CUDA would have taken ONNX Runtime, says in one line why it trains in Java.
     */
    public void requireJava(String what, String why, TrainingListener listener) {
        if (this == ORT) {
            throw new IllegalArgumentException("the ONNX Runtime training engine cannot train " + what + ": " + why
                    + "; train it with --train-engine java (Fiji: Training engine java)");
        }
        if (this == AUTO && OrtTraining.cudaWorks())
            log(listener).accept("CNN-J: training " + what + " in Java: " + why);
    }

    /** Where the engine's lines go: the training's listener, else standard error. */
    private static Consumer<String> log(TrainingListener listener) {
        return listener == null ? System.err::println : listener::log;
    }
}
