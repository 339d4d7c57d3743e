package org.cnnj.runtime;

import java.util.Arrays;
import org.cnnj.tensor.Tensor;

/**
 * Applies a 3-D network to a volume of any size, block by block. The volume is taken as padded up to a multiple of the
 * network's size multiple per axis with itself mirrored at its far faces (numpy's "reflect", as the 2-D {@link
 * TiledPredictor}; a voxel of the padding is the same whichever block reads it). Zeros there were a dark wall beside
 * which the 3-D model cut the background into objects (a stack seen at xy×0.67, 65 voxels padded to 68: 12 false
 * objects along two faces). Each block's core is predicted from a window reaching {@code halo} voxels further on every
 * side, cut at the padded volume's faces. Cores, halos and so windows start and end on multiples, so the pooling grids
 * line up with the whole volume's, and at the volume's faces the window ends exactly where the whole-volume run ends:
 * with a halo covering the receptive field the stitched result equals the whole volume's (up to float rounding).
 * Shapes: input [C][D·H·W] → output [K][D·H·W].
 */
public final class VolumeTiler {
    /** Block core and halo per axis (d, h, w), and the size multiple (d, h, w) every window must have. */
    public record Layout(int[] tile, int[] halo, int[] multiple) {
        public Layout {
            for (int a = 0; a < 3; a++) {
                if (multiple[a] < 1
                        || tile[a] < multiple[a]
                        || tile[a] % multiple[a] != 0
                        || halo[a] < 0
                        || halo[a] % multiple[a] != 0) {
                    throw new IllegalArgumentException("volume tiling: block " + Arrays.toString(tile) + " and halo "
                            + Arrays.toString(halo) + " must be multiples of " + Arrays.toString(multiple)
                            + " (the network's size multiple per axis d, h, w)");
                }
            }
            tile = tile.clone();
            halo = halo.clone();
            multiple = multiple.clone();
        }

        /** One block holding the whole (padded) volume: the reference a tiled run must equal. */
        public static Layout whole(VolumeSize size, int[] multiple) {
            int[] dims = size.dims(), tile = new int[3];
            for (int a = 0; a < 3; a++) tile[a] = roundUp(dims[a], multiple[a]);
            return new Layout(tile, new int[3], multiple);
        }

        /** Voxels of the largest window. */
        public long windowVoxels() {
            long v = 1;
            for (int a = 0; a < 3; a++) v *= tile[a] + 2L * halo[a];
            return v;
        }
    }

    /** Blocks done and their total. */
    public interface Progress {
        void update(int done, int total);
    }

    private VolumeTiler() {}

    /** The network's outputs over the whole volume, {@code outputs} channels. */
    public static float[][] predict(
            Engine engine, float[][] input, VolumeSize volume, Layout layout, Progress progress) {
        int depth = volume.depth(), height = volume.height(), width = volume.width();
        int[] dims = volume.dims(), padded = new int[3], blocks = new int[3];
        for (int a = 0; a < 3; a++) {
            padded[a] = roundUp(dims[a], layout.multiple()[a]);
            blocks[a] = (padded[a] + layout.tile()[a] - 1) / layout.tile()[a];
        }
        int total = blocks[0] * blocks[1] * blocks[2], done = 0;
        float[][] out = null;
        for (int bz = 0; bz < blocks[0]; bz++)
            for (int by = 0; by < blocks[1]; by++)
                for (int bx = 0; bx < blocks[2]; bx++) {
                    int[] core0 = {bz * layout.tile()[0], by * layout.tile()[1], bx * layout.tile()[2]};
                    int[] core1 = new int[3], win0 = new int[3], win1 = new int[3], size = new int[3];
                    for (int a = 0; a < 3; a++) {
                        core1[a] = Math.min(padded[a], core0[a] + layout.tile()[a]);
                        win0[a] = Math.max(0, core0[a] - layout.halo()[a]);
                        win1[a] = Math.min(padded[a], core1[a] + layout.halo()[a]);
                        size[a] = win1[a] - win0[a];
                    }
                    float[] window = read(input, dims, win0, size);
                    Tensor y = engine.run(Tensor.of(window, 1, input.length, size[0], size[1], size[2]));
                    if (out == null) {
                        out = new float[y.dim(1)][depth * height * width];
                    }
                    write(y.data(), y.dim(1), size, win0, core0, core1, dims, out);
                    if (progress != null) progress.update(++done, total);
                }
        return out;
    }

    /** The window [C, d, h, w] at {@code from}; beyond the volume (its padding) the volume mirrored. */
    private static float[] read(float[][] input, int[] dims, int[] from, int[] size) {
        int c = input.length, vol = size[0] * size[1] * size[2];
        float[] w = new float[c * vol];
        int[] xs = new int[size[2]];
        for (int x = 0; x < size[2]; x++) xs[x] = TiledPredictor.mirror(from[2] + x, dims[2]);
        int run = Math.max(0, Math.min(dims[2], from[2] + size[2]) - from[2]);
        for (int ch = 0; ch < c; ch++)
            for (int z = 0; z < size[0]; z++)
                for (int y = 0; y < size[1]; y++) {
                    int sz = TiledPredictor.mirror(from[0] + z, dims[0]),
                            sy = TiledPredictor.mirror(from[1] + y, dims[1]);
                    int row = (sz * dims[1] + sy) * dims[2], dst = ch * vol + (z * size[1] + y) * size[2];
                    System.arraycopy(input[ch], row + from[2], w, dst, run);
                    for (int x = run; x < size[2]; x++) w[dst + x] = input[ch][row + xs[x]];
                }
        return w;
    }

    /** Copies the core [core0, core1) ∩ volume of a window's output [K, d, h, w] into the whole output. */
    private static void write(
            float[] y, int k, int[] size, int[] win0, int[] core0, int[] core1, int[] dims, float[][] out) {
        int vol = size[0] * size[1] * size[2];
        int zEnd = Math.min(dims[0], core1[0]), yEnd = Math.min(dims[1], core1[1]);
        int run = Math.min(dims[2], core1[2]) - core0[2];
        if (run <= 0) return;
        for (int ch = 0; ch < k; ch++)
            for (int z = core0[0]; z < zEnd; z++)
                for (int yy = core0[1]; yy < yEnd; yy++) {
                    int src = ch * vol + ((z - win0[0]) * size[1] + yy - win0[1]) * size[2] + core0[2] - win0[2];
                    System.arraycopy(y, src, out[ch], (z * dims[1] + yy) * dims[2] + core0[2], run);
                }
    }

    static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
