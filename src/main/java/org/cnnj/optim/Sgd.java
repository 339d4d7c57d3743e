package org.cnnj.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.tensor.Tensor;

/**
 * SGD with momentum: g' = g + λw; v = μv + g' (v = g' on the first step); update = g' + μv (Nesterov)
 * or v; w −= lr·update. Identical to torch.optim.SGD with dampening 0.
 */
public final class Sgd extends Optimizer {
    private final SgdConfig config;
    private final Map<String, float[]> velocity = new LinkedHashMap<>();

    public Sgd(Map<String, Tensor> params, SgdConfig config) {
        super(params, config.lr());
        this.config = config;
    }

    @Override
    protected void update(String name, float[] w, float[] g) {
        float lr = (float) this.lr, mu = (float) config.momentum(), wd = (float) config.weightDecay();
        float[] v = mu > 0 ? slot(velocity, name + "/momentum", w.length) : null;
        for (int i = 0; i < w.length; i++) {
            float grad = g[i] + wd * w[i];
            if (v != null) {
                v[i] = mu * v[i] + grad; // v starts at 0, so the first step gives v = g' as in PyTorch
                grad = config.nesterov() ? grad + mu * v[i] : v[i];
            }
            w[i] -= lr * grad;
        }
    }

    @Override
    public Map<String, float[]> state() {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (config.momentum() > 0)
                slot(velocity, e.getKey() + "/momentum", e.getValue().size());
        }
        Map<String, float[]> s = new LinkedHashMap<>(velocity);
        s.put("step", new float[] {steps});
        return s;
    }
}
