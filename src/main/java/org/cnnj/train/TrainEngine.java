package org.cnnj.train;

import java.util.Locale;

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
}
