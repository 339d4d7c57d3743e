package org.cnnj.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.Function;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * Compares autograd gradients with central finite differences of L = Σ r·f(x) for a fixed random r,
 * on a random sample of coordinates of every input. Float32 throughout, so the step and tolerance are
 * chosen for float: h = 1e-2 (truncation error O(h²)), |analytic − numeric| ≤ 3e-3 + 2e-2·|numeric|.
 * A mismatch is retried with h = 1e-3 before it fails: in a deep ReLU/max-pool network a ±1e-2 step
 * can cross a kink, which a smaller step does not.
 */
public final class GradCheck {
    private static final float H = 1e-2f;
    private static final int SAMPLES = 40;

    private GradCheck() {}

    /** Random inputs in [-1, 1) whose values are pairwise ≥ 3h apart, so max/ReLU kinks are never crossed. */
    public static Tensor distinct(Rng rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        rng.shuffle(order);
        float spacing = Math.max(3 * H, 2f / n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (order[i] - n / 2f + 0.5f) * spacing;
        return Tensor.of(v, shape).requiresGrad(true);
    }

    public static Tensor uniform(Rng rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.uniform(-1f, 1f);
        return Tensor.of(v, shape).requiresGrad(true);
    }

    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Rng rng = new Rng(name.hashCode());
        for (Tensor t : inputs) t.zeroGrad();
        Tensor y = f.apply(inputs);
        float[] r = new float[y.size()];
        for (int i = 0; i < r.length; i++) r[i] = rng.uniform(-1f, 1f);
        Autograd.backward(y, r);
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (!in.requiresGrad()) continue;
            float[] analytic = in.grad().clone();
            float[] x = in.data();
            int samples = Math.min(SAMPLES, x.length);
            for (int s = 0; s < samples; s++) {
                int i = samples == x.length ? s : rng.nextInt(x.length);
                double numeric = numeric(f, inputs, r, x, i, H);
                if (!agrees(analytic[i], numeric)) numeric = numeric(f, inputs, r, x, i, H / 10);
                if (!agrees(analytic[i], numeric)) {
                    fail(name + ": d/d input" + k + "[" + i + "] analytic " + analytic[i] + " vs numeric " + numeric);
                }
            }
        }
    }

    private static boolean agrees(float analytic, double numeric) {
        return Math.abs(numeric - analytic) <= 3e-3 + 2e-2 * Math.abs(numeric);
    }

    private static double numeric(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] r, float[] x, int i, float h) {
        float saved = x[i];
        x[i] = saved + h;
        double plus = projected(f, inputs, r);
        x[i] = saved - h;
        double minus = projected(f, inputs, r);
        x[i] = saved;
        return (plus - minus) / (2 * h);
    }

    private static double projected(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] r) {
        Tensor y = GradMode.noGrad(() -> f.apply(inputs));
        double sum = 0;
        float[] v = y.data();
        for (int i = 0; i < v.length; i++) sum += (double) v[i] * r[i];
        return sum;
    }
}
