package org.cnnj.runtime;

/** Depth (slices), height and width of a volume, in voxels: the shape [D, H, W] that 3-D code passes around. */
public record VolumeSize(int depth, int height, int width) {
    public VolumeSize {
        if (depth < 1 || height < 1 || width < 1)
            throw new IllegalArgumentException(
                    "a volume needs depth, height and width >= 1, got " + width + "x" + height + "x" + depth);
    }

    public long voxels() {
        return (long) depth * height * width;
    }

    /** Voxels of one slice. */
    public int plane() {
        return height * width;
    }

    /** (d, h, w) as an array, for per-axis loops. */
    public int[] dims() {
        return new int[] {depth, height, width};
    }

    /** This size scaled by {@code z} in depth and {@code xy} in height and width (each side at least 1). */
    public VolumeSize scaled(double z, double xy) {
        return new VolumeSize(
                Math.max(1, (int) Math.round(depth * z)), Math.max(1, (int) Math.round(height * xy)), Math.max(1, (int)
                        Math.round(width * xy)));
    }

    @Override
    public String toString() {
        return width + "x" + height + "x" + depth;
    }
}
