package org.cnnj.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.tensor.Tensor;

/**
 * Adam / AdamW as torch.optim: m = β1·m + (1−β1)g; v = β2·v + (1−β2)g²;
 * w −= lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε).
 */
public final class Adam extends Optimizer {
    private final AdamConfig config;
    private final Map<String, float[]> moments = new LinkedHashMap<>();

    public Adam(Map<String, Tensor> params, AdamConfig config) {
        super(params, config.lr());
        this.config = config;
    }

    /** The hyper-parameters (the learning rate as it started; a schedule changes {@link #learningRate()}). */
    public AdamConfig config() {
        return config;
    }

    @Override
    protected void update(String name, float[] w, float[] g) {
        float[] m = slot(moments, name + "/m", w.length), v = slot(moments, name + "/v", w.length);
        float b1 = (float) config.beta1(), b2 = (float) config.beta2(), eps = (float) config.eps();
        float lr = (float) this.lr, wd = (float) config.weightDecay();
        float bias1 = (float) (1 - Math.pow(config.beta1(), steps)),
                bias2Sqrt = (float) Math.sqrt(1 - Math.pow(config.beta2(), steps));
        float stepSize = lr / bias1;
        for (int i = 0; i < w.length; i++) {
            float grad = g[i];
            if (wd != 0) {
                if (config.decoupled()) w[i] -= lr * wd * w[i];
                else grad += wd * w[i];
            }
            m[i] = b1 * m[i] + (1 - b1) * grad;
            v[i] = b2 * v[i] + (1 - b2) * grad * grad;
            w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / bias2Sqrt + eps);
        }
    }

    @Override
    public Map<String, float[]> state() {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            slot(moments, e.getKey() + "/m", e.getValue().size());
            slot(moments, e.getKey() + "/v", e.getValue().size());
        }
        Map<String, float[]> s = new LinkedHashMap<>(moments);
        s.put("step", new float[] {steps});
        return s;
    }
}
