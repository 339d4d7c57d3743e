package org.cnnj.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Reverse-mode differentiation over the graph that ops recorded during the forward pass. */
public final class Autograd {
    private Autograd() {}

    /** Back-propagates from a scalar loss (its gradient is taken as 1). */
    public static void backward(Tensor loss) {
        if (loss.size() != 1) {
            throw new IllegalArgumentException("backward: " + loss.describe() + " is not a scalar; reduce it to a loss"
                    + " first (e.g. mean) or call backward(tensor, gradient)");
        }
        if (!Float.isFinite(loss.item())) {
            throw new ArithmeticException(
                    "backward: loss from " + loss.op() + " is " + loss.item() + "; lower the learning"
                            + " rate, check inputs and labels for NaN/Inf, or enable GradMode.setAnomalyDetection(true)");
        }
        backward(loss, new float[] {1f});
    }

    /** Back-propagates {@code gradient} (same size as {@code out}) through the graph that produced {@code out}. */
    public static void backward(Tensor out, float[] gradient) {
        if (!out.requiresGrad()) {
            throw new IllegalStateException("backward: " + out.describe() + " does not depend on any trainable tensor;"
                    + " were all parameters frozen, or was it computed inside GradMode.noGrad?");
        }
        if (gradient.length != out.size()) {
            throw new IllegalArgumentException(
                    "backward: gradient has " + gradient.length + " values for " + out.describe());
        }
        float[] g = out.grad();
        for (int i = 0; i < g.length; i++) g[i] += gradient[i];
        propagate(out);
    }

    /**
     * Back-propagates the gradient already in {@code out.grad()} (filled by the caller), so that a benchmark times the
     * graph's backward functions and not the seeding of a large output gradient.
     */
    public static void backwardFromGrad(Tensor out) {
        if (!out.requiresGrad() || !out.hasGrad()) {
            throw new IllegalStateException("backwardFromGrad: " + out.describe() + " has no gradient to propagate;"
                    + " fill out.grad() first, or call backward(tensor, gradient)");
        }
        propagate(out);
    }

    private static void propagate(Tensor out) {
        List<Tensor> order = topologicalOrder(out);
        boolean anomaly = GradMode.isAnomalyDetection();
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backwardFn() == null || !t.hasGrad()) continue;
            t.backwardFn().run(t);
            if (anomaly) {
                for (Tensor in : t.inputs()) {
                    if (in.hasGrad())
                        Checks.requireFiniteGradient(
                                t.op() + " (backward, to input " + in.describe() + ")", in.grad(), in.shape());
                }
            }
            // Intermediate gradients are not needed once passed on; reusing them halves peak memory and garbage.
            if (t != out) t.recycleGrad();
        }
    }

    /**
     * {@link #backward(Tensor)}, then hands the values of every intermediate result of the graph to the
     * {@link BufferPool}, so that the next training step reuses them instead of allocating. Leaves (inputs,
     * weights), {@code loss}, the tensors in {@code keep} and every array they share stay; reading the values of
     * a released tensor afterwards throws. For training steps that read nothing of the graph but its loss (and
     * {@code keep}) after backward.
     */
    public static void backwardAndRelease(Tensor loss, Tensor... keep) {
        backward(loss);
        List<Tensor> order = topologicalOrder(loss);
        Set<float[]> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.add(loss.rawData());
        for (Tensor k : keep) kept.add(k.rawData());
        // Views (reshape, a no-op narrow) share their input's array: a leaf's or a kept tensor's must survive.
        for (Tensor t : order) if (t.isLeaf()) kept.add(t.rawData());
        for (Tensor t : order) {
            t.releaseSaved();
            if (!t.isLeaf() && !kept.contains(t.rawData())) t.releaseData();
        }
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative DFS: deep networks would overflow the stack with recursion.
        List<Tensor> stack = new ArrayList<>();
        List<Integer> next = new ArrayList<>();
        stack.add(root);
        next.add(0);
        visited.add(root);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Tensor t = stack.get(top);
            int idx = next.get(top);
            Tensor[] ins = t.inputs();
            if (idx < ins.length) {
                next.set(top, idx + 1);
                Tensor child = ins[idx];
                if (child.requiresGrad() && visited.add(child)) {
                    stack.add(child);
                    next.add(0);
                }
            } else {
                order.add(t);
                stack.remove(top);
                next.remove(top);
            }
        }
        return order;
    }
}
