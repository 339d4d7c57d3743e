package org.cnnj.seg;

/**
 * Shape of a 3-D U-Net for volumes whose z spacing may be coarser than xy. Level i has {@code baseFilters·2^i} channels
 * (the bottleneck {@code baseFilters·2^depth}), two conv-BN-ReLU units, max pooling down and a transposed convolution
 * up, skip by channel concat, 1×1×1 head. Anisotropy as nnU-Net handles it: while a level's z spacing is more than
 * twice its xy spacing, its kernels are (1, 3, 3) and it pools (1, 2, 2), in-plane only; each in-plane pool halves the
 * ratio, so deeper levels become isotropic (3, 3, 3) and pool (2, 2, 2). Inputs must have depth, height and width
 * divisible by {@link #sizeMultiple()}.
 *
 * @param zRatio z spacing over xy spacing of the voxels the network is trained on (1 = isotropic)
 */
public record VolumeUNetConfig(int inChannels, int outputs, int depth, int baseFilters, double zRatio) {
    public VolumeUNetConfig {
        if (inChannels < 1)
            throw new IllegalArgumentException("3-D U-Net: input channels must be >= 1, got " + inChannels);
        if (outputs < 1) throw new IllegalArgumentException("3-D U-Net: outputs must be >= 1, got " + outputs);
        if (depth < 1 || depth > 5) throw new IllegalArgumentException("3-D U-Net: depth must be 1..5, got " + depth);
        if (baseFilters < 1)
            throw new IllegalArgumentException("3-D U-Net: base filters must be >= 1, got " + baseFilters);
        if (!(zRatio >= 0.25 && zRatio <= 20)) {
            throw new IllegalArgumentException("3-D U-Net: the z/xy voxel ratio must be 0.25..20, got " + zRatio
                    + "; check the voxel size (--voxel z,y,x)");
        }
    }

    /** Whether level {@code i} (0 = full resolution; {@code depth} = bottleneck) convolves and pools in-plane only. */
    public boolean inPlane(int level) {
        double ratio = zRatio;
        for (int i = 0; i < level; i++) if (ratio > 2) ratio /= 2;
        return ratio > 2;
    }

    /** Kernel (d, h, w) of level {@code i}'s convolutions. */
    public int[] kernel(int level) {
        return inPlane(level) ? new int[] {1, 3, 3} : new int[] {3, 3, 3};
    }

    /** Pooling window (d, h, w) below level {@code i} (i < depth). */
    public int[] pool(int level) {
        return inPlane(level) ? new int[] {1, 2, 2} : new int[] {2, 2, 2};
    }

    /** What depth, height and width of an input must be multiples of (d, h, w): the product of the pooling windows. */
    public int[] sizeMultiple() {
        int[] m = {1, 1, 1};
        for (int i = 0; i < depth; i++) for (int a = 0; a < 3; a++) m[a] *= pool(i)[a];
        return m;
    }

    public int filters(int level) {
        return baseFilters << level;
    }

    /**
     * Radius (d, h, w) of the receptive field in input voxels: each 3-wide conv at a level whose voxels span s input
     * voxels adds s; pooling adds the window less one, at that scale.
     */
    public int[] receptiveRadius() {
        int[] r = new int[3], scale = {1, 1, 1};
        for (int level = 0; level <= depth; level++) {
            int[] k = kernel(level);
            // two convs on the way down (and, below the bottleneck, two more on the way up at the same scale)
            int convs = level == depth ? 2 : 4;
            for (int a = 0; a < 3; a++) r[a] += convs * (k[a] / 2) * scale[a];
            if (level < depth) {
                int[] p = pool(level);
                for (int a = 0; a < 3; a++) {
                    r[a] += (p[a] - 1) * scale[a];
                    scale[a] *= p[a];
                }
            }
        }
        return r;
    }
}
