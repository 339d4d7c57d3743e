package org.cnnj.optim;

/**
 * Adam/AdamW hyper-parameters. {@code decoupled} false: L2 decay added to the gradient (Adam);
 * true: w −= lr·λ·w before the Adam step (AdamW, Loshchilov & Hutter).
 */
public record AdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    public AdamConfig {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
            throw new IllegalArgumentException("adam: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) throw new IllegalArgumentException("adam: eps must be > 0, got " + eps);
        if (weightDecay < 0) throw new IllegalArgumentException("adam: weight decay must be >= 0, got " + weightDecay);
    }

    public static AdamConfig adam(double lr) {
        return new AdamConfig(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public static AdamConfig adamW(double lr, double weightDecay) {
        return new AdamConfig(lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }
}
