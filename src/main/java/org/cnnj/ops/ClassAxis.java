package org.cnnj.ops;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Walks the class axis (1) of [N, C, ...]: each "column" is one sample and spatial position, its C
 * values {@code stride} apart. Shared by softmax, log-softmax and the classification losses.
 */
public final class ClassAxis {
    public final int n, classes, inner;

    private ClassAxis(int n, int classes, int inner) {
        this.n = n;
        this.classes = classes;
        this.inner = inner;
    }

    public static ClassAxis of(String op, Tensor x) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(
                    op + ": input " + Shapes.str(x.shape()) + " needs a class axis: [N, C] or [N, C, H, W]");
        }
        return new ClassAxis(x.dim(0), x.dim(1), Shapes.sizeFrom(x.shape(), 2));
    }

    @FunctionalInterface
    public interface Column {
        void visit(int base, int stride);
    }

    /** Number of positions (N × spatial). */
    public int columns() {
        return n * inner;
    }

    /** Index of class 0 for position {@code p} in [0, columns()). */
    public int base(int p) {
        return (p / inner) * classes * inner + p % inner;
    }

    public void forEachColumn(Column body) {
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < inner; i++) body.visit(s * classes * inner + i, inner);
        }
    }
}
