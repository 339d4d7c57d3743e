package org.cnnj.seg;

/**
 * Shape of a U-Net. Level i has {@code baseFilters·2^i} channels (i < depth), the bottleneck
 * {@code baseFilters·2^depth}; every level is two 3×3 conv units (conv-BN-ReLU, or a residual block),
 * down by 2×2 max pool, up by 2×2 stride-2 transposed conv, skip by channel concat, 1×1 conv head.
 * Inputs must have height and width divisible by 2^depth ({@link #sizeMultiple()}).
 */
public record UNetConfig(
        int inChannels, int classes, int depth, int baseFilters, boolean batchNorm, boolean residual, float dropout) {
    public UNetConfig {
        if (inChannels < 1) throw new IllegalArgumentException("U-Net: input channels must be >= 1, got " + inChannels);
        if (classes < 1) throw new IllegalArgumentException("U-Net: classes must be >= 1, got " + classes);
        if (depth < 0 || depth > 8) throw new IllegalArgumentException("U-Net: depth must be 0..8, got " + depth);
        if (baseFilters < 1) throw new IllegalArgumentException("U-Net: base filters must be >= 1, got " + baseFilters);
        if (!(dropout >= 0 && dropout < 1))
            throw new IllegalArgumentException("U-Net: dropout must be in [0, 1), got " + dropout);
    }

    /** The benchmark/reference network: 1 channel, 3 classes, 16-32-64 + 128 bottleneck, BN, no dropout. */
    public static UNetConfig reference() {
        return new UNetConfig(1, 3, 3, 16, true, false, 0f);
    }

    public int sizeMultiple() {
        return 1 << depth;
    }

    public int filters(int level) {
        return baseFilters << level;
    }
}
