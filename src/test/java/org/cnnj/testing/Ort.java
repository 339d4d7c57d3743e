package org.cnnj.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.Tensor;

/** Runs serialized ONNX bytes in ONNX Runtime on one input named "input": the reference side of round-trip tests. */
public final class Ort {
    private Ort() {}

    public static float[] run(byte[] model, Tensor input) throws OrtException {
        OrtEnvironment env = OrtEngine.environment();
        long[] shape = new long[input.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = input.dim(i);
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), shape);
                OrtSession.Result r = session.run(Map.of("input", x))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
