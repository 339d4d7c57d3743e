package org.cnnj.kernel;

/** What both Vector API kernels share: the dot products and sums of {@link VectorDot}; they differ in the GEMM block. */
abstract class VectorKernel implements MicroKernel {
    @Override
    public final void dotBlock(
            int len, float[] u, int uOff, int uStride, float[] v, int[] rows, int rowStart, int vOff, float[] out) {
        VectorDot.block(len, u, uOff, uStride, v, rows, rowStart, vOff, out);
    }

    @Override
    public final float sum(float[] v, int from, int len) {
        return VectorDot.sum(v, from, len);
    }

    @Override
    public final float centredDot(int len, float[] u, int uOff, float uMean, float[] v, int vOff, float vMean) {
        return VectorDot.centredDot(len, u, uOff, uMean, v, vOff, vMean);
    }

    @Override
    public final void reluGatedSums(
            int len, float[] dy, float[] x, int off, float scale, float shift, float mean, float[] out) {
        VectorDot.reluGatedSums(len, dy, x, off, scale, shift, mean, out);
    }
}
