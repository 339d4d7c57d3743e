package org.cnnj.runtime;

import org.cnnj.tensor.Tensor;

/** Runs a network: x [N, C, H, W] → output [N, K, H, W]. Thread-safe: tiles may run concurrently. */
public interface Engine extends AutoCloseable {
    Tensor run(Tensor x);

    /** What runs where, e.g. "onnxruntime 1.29.0 on cpu, 2 threads" — for logs and the self-test. */
    String describe();

    @Override
    void close();
}
