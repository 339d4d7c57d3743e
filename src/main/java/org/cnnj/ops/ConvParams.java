package org.cnnj.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stride, padding, dilation and groups of a 2-D convolution (or transposed convolution, which adds
 * output padding), PyTorch semantics. Height and width may differ.
 */
public record ConvParams(
        int strideH,
        int strideW,
        int padH,
        int padW,
        int dilationH,
        int dilationW,
        int groups,
        int outputPadH,
        int outputPadW) {
    public ConvParams {
        if (strideH < 1 || strideW < 1)
            throw new IllegalArgumentException("conv: stride must be >= 1, got " + strideH + "x" + strideW);
        if (padH < 0 || padW < 0)
            throw new IllegalArgumentException("conv: padding must be >= 0, got " + padH + "x" + padW);
        if (dilationH < 1 || dilationW < 1)
            throw new IllegalArgumentException("conv: dilation must be >= 1, got " + dilationH + "x" + dilationW);
        if (groups < 1) throw new IllegalArgumentException("conv: groups must be >= 1, got " + groups);
        if (outputPadH < 0
                || outputPadW < 0
                || (outputPadH >= strideH && outputPadH >= dilationH)
                || (outputPadW >= strideW && outputPadW >= dilationW)) {
            throw new IllegalArgumentException("conv_transpose2d: output padding " + outputPadH + "x" + outputPadW
                    + " must be smaller than the stride or the dilation");
        }
    }

    public static ConvParams of(int stride, int padding) {
        return new ConvParams(stride, stride, padding, padding, 1, 1, 1, 0, 0);
    }

    public static ConvParams of(int stride, int padding, int dilation, int groups) {
        return new ConvParams(stride, stride, padding, padding, dilation, dilation, groups, 0, 0);
    }

    public ConvParams withGroups(int g) {
        return new ConvParams(strideH, strideW, padH, padW, dilationH, dilationW, g, outputPadH, outputPadW);
    }

    public ConvParams withOutputPadding(int p) {
        return new ConvParams(strideH, strideW, padH, padW, dilationH, dilationW, groups, p, p);
    }

    /** ONNX Conv / ConvTranspose attributes for a kh×kw kernel. */
    public Map<String, Object> onnxAttributes(int kh, int kw, boolean transposed) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("kernel_shape", new long[] {kh, kw});
        a.put("strides", new long[] {strideH, strideW});
        a.put("pads", new long[] {padH, padW, padH, padW});
        a.put("dilations", new long[] {dilationH, dilationW});
        a.put("group", (long) groups);
        if (transposed) a.put("output_padding", new long[] {outputPadH, outputPadW});
        return a;
    }

    public boolean isPointwise(int kh, int kw) {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }
}
