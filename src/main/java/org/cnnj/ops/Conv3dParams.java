package org.cnnj.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cnnj.tensor.Trace;

/**
 * Stride, padding and dilation of a 3-D convolution per axis (depth, height, width), and its groups: anisotropic
 * kernels such as (1, 3, 3) with padding (0, 1, 1) are how nnU-Net handles stacks whose z spacing is coarser than xy.
 */
public record Conv3dParams(int[] stride, int[] padding, int[] dilation, int groups) {
    public Conv3dParams {
        for (int[] a : List.of(stride, padding, dilation))
            if (a == null || a.length != 3)
                throw new IllegalArgumentException("conv3d: stride, padding and dilation take three values (d, h, w)");
        for (int i = 0; i < 3; i++)
            if (stride[i] < 1 || padding[i] < 0 || dilation[i] < 1)
                throw new IllegalArgumentException("conv3d: stride and dilation must be >= 1 and padding >= 0, got "
                        + Arrays.toString(stride) + ", " + Arrays.toString(padding) + ", " + Arrays.toString(dilation));
        if (groups < 1) throw new IllegalArgumentException("conv3d: groups must be >= 1, got " + groups);
        stride = stride.clone();
        padding = padding.clone();
        dilation = dilation.clone();
    }

    /** The same stride and padding on every axis, no dilation, one group. */
    public static Conv3dParams of(int stride, int padding) {
        return new Conv3dParams(new int[] {stride, stride, stride}, new int[] {padding, padding, padding}, ones(), 1);
    }

    /** Per-axis stride and padding (d, h, w), no dilation, one group. */
    public static Conv3dParams of(int[] stride, int[] padding) {
        return new Conv3dParams(stride, padding, ones(), 1);
    }

    public Conv3dParams withDilation(int... d) {
        return new Conv3dParams(stride, padding, d, groups);
    }

    public Conv3dParams withGroups(int g) {
        return new Conv3dParams(stride, padding, dilation, g);
    }

    private static int[] ones() {
        return new int[] {1, 1, 1};
    }

    /** ONNX Conv attributes for kernel (kd, kh, kw); pads as begins then ends. */
    Map<String, Object> onnxAttributes(int[] kernel) {
        return Trace.attrs(
                "kernel_shape", longs(kernel),
                "strides", longs(stride),
                "pads", new long[] {padding[0], padding[1], padding[2], padding[0], padding[1], padding[2]},
                "dilations", longs(dilation),
                "group", (long) groups);
    }

    static long[] longs(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }
}
