package org.cnnj.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order (images are NCHW) that remembers how it was made, so
 * that {@link Autograd#backward} can send gradients back to the tensors it came from.
 *
 * <p>Data is owned by the tensor and treated as immutable once an op has produced it; views such as
 * reshape share the array. Gradients are allocated lazily, zero-filled, and always accumulated (+=).
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    /** Set when {@link Autograd#backwardAndRelease} handed the values to the {@link BufferPool}. */
    private boolean released;
    /** Arrays only this tensor's backward reads (max-pool winners, softmax probabilities): pooled on release. */
    private Object[] saved;

    private float[] grad;
    private boolean requiresGrad;
    private final String op;
    private final Tensor[] inputs;
    private final Backward backward;

    /** How an op sends the gradient of its output ({@code out.grad()}) to its inputs. */
    @FunctionalInterface
    public interface Backward {
        void run(Tensor out);
    }

    private Tensor(int[] shape, float[] data, String op, Tensor[] inputs, Backward backward) {
        this.shape = shape;
        this.data = data;
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        boolean anyInputNeedsGrad = false;
        for (Tensor in : inputs) anyInputNeedsGrad |= in.requiresGrad;
        this.requiresGrad = anyInputNeedsGrad && backward != null && GradMode.isEnabled();
    }

    /** A leaf tensor wrapping {@code data} (not copied). */
    public static Tensor of(float[] data, int... shape) {
        int[] s = checkedShape("tensor", shape);
        if (data.length != Shapes.size(s)) {
            throw new IllegalArgumentException("tensor: " + data.length + " values cannot fill shape "
                    + Arrays.toString(s) + " (" + Shapes.size(s) + " values); pass an array of that size");
        }
        return new Tensor(s, data, "leaf", new Tensor[0], null);
    }

    public static Tensor zeros(int... shape) {
        int[] s = checkedShape("tensor", shape);
        return new Tensor(s, new float[Shapes.size(s)], "leaf", new Tensor[0], null);
    }

    public static Tensor scalar(float value) {
        return of(new float[] {value}, 1);
    }

    /**
     * The result of an op. {@code backward} may be null for ops with no gradient (e.g. argmax); it is
     * dropped when no input needs a gradient or gradients are disabled, so inference keeps no graph.
     */
    public static Tensor result(String op, float[] data, int[] shape, Backward backward, Tensor... inputs) {
        int[] s = checkedShape(op, shape);
        boolean keepGraph = GradMode.isEnabled() && backward != null;
        if (keepGraph) {
            keepGraph = false;
            for (Tensor in : inputs) keepGraph |= in.requiresGrad;
        }
        Tensor t = keepGraph ? new Tensor(s, data, op, inputs, backward) : new Tensor(s, data, op, new Tensor[0], null);
        if (GradMode.isAnomalyDetection()) Checks.requireFinite(op, "output", t);
        return t;
    }

    private static int[] checkedShape(String op, int[] shape) {
        if (shape.length == 0) throw new IllegalArgumentException(op + ": a tensor needs at least one dimension");
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] <= 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " has size "
                        + shape[i] + " in dimension " + i + "; every dimension must be at least 1 (check the input"
                        + " size, kernel, stride and padding that produced it)");
            }
            size *= shape[i];
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " holds " + size
                    + " values, more than one Java array can; use smaller tiles or batches");
        }
        return shape.clone();
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    /** The values, not copied: ops read them; only leaves (weights, inputs) are written in place. */
    public float[] data() {
        if (released) {
            throw new IllegalStateException("the values of " + describe() + " were handed back for reuse after"
                    + " backward (Autograd.backwardAndRelease); read them before backward, or pass the tensor to keep");
        }
        return data;
    }

    public float item() {
        if (data.length != 1) throw new IllegalStateException("item(): tensor " + describe() + " is not a scalar");
        return data[0];
    }

    /** The accumulated gradient, allocated (zero) on first use. */
    public float[] grad() {
        if (grad == null) grad = BufferPool.takeZeroed(data.length);
        return grad;
    }

    /**
     * For an op whose backward writes every element of this tensor's gradient: a fresh array, not zeroed, when no
     * gradient has reached this tensor yet (it becomes the gradient; the op writes instead of adding, which saves
     * zeroing it and reading it back); null when one has, and the op adds into {@link #grad()}.
     */
    public float[] freshGradOrNull() {
        if (grad != null) return null;
        grad = BufferPool.take(data.length);
        return grad;
    }

    public boolean hasGrad() {
        return grad != null;
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    /** An intermediate gradient, passed on by Autograd and read by nobody else: its array is reused. */
    void recycleGrad() {
        BufferPool.give(grad);
        grad = null;
    }

    /**
     * Declares arrays that only this tensor's backward reads, so that {@link Autograd#backwardAndRelease} can hand
     * them back for reuse with the graph (as PyTorch frees what an autograd function saved once it has run).
     */
    public Tensor savedForBackward(Object... arrays) {
        if (backward != null) saved = arrays;
        return this;
    }

    void releaseSaved() {
        if (saved == null) return;
        for (Object a : saved) {
            if (a instanceof float[] f) BufferPool.give(f);
            else if (a instanceof int[] i) BufferPool.give(i);
        }
        saved = null;
    }

    /** The values of an intermediate result after backward: reused from now on, and {@link #data} refuses. */
    void releaseData() {
        if (data.length < BufferPool.MIN_FLOATS) return;
        BufferPool.give(data);
        released = true;
    }

    boolean isLeaf() {
        return backward == null;
    }

    /** The array itself even after release: Autograd compares arrays to keep shared ones. */
    float[] rawData() {
        return data;
    }

    /** Frees the gradient buffer (the optimizer no longer needs it). */
    public void dropGrad() {
        grad = null;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as trainable (true) or frozen (false). */
    public Tensor requiresGrad(boolean value) {
        if (backward != null)
            throw new IllegalStateException("requiresGrad can only be set on leaf tensors, not on the output of " + op);
        this.requiresGrad = value;
        return this;
    }

    public String op() {
        return op;
    }

    Tensor[] inputs() {
        return inputs;
    }

    Backward backwardFn() {
        return backward;
    }

    /** This tensor's values as a new leaf that is not part of any graph. */
    public Tensor detach() {
        return new Tensor(shape, data, "leaf", new Tensor[0], null);
    }

    public Tensor copy() {
        return of(data.clone(), shape);
    }

    public void backward() {
        Autograd.backward(this);
    }

    public String describe() {
        return op + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "(" + op + ")";
    }
}
