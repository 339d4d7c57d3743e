package org.cnnj.optim;

/** SGD hyper-parameters (PyTorch semantics: L2 weight decay added to the gradient, dampening 0). */
public record SgdConfig(double lr, double momentum, boolean nesterov, double weightDecay) {
    public SgdConfig {
        if (momentum < 0 || momentum >= 1)
            throw new IllegalArgumentException("sgd: momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("sgd: Nesterov needs momentum > 0");
        if (weightDecay < 0) throw new IllegalArgumentException("sgd: weight decay must be >= 0, got " + weightDecay);
    }
}
