package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One image too large for one machine, as the blocks read it: an OME-Zarr image ({@link OmeZarr}) or a folder of
 * tiles placed by a stitching configuration ({@link TileMosaic}).
 */
interface BlockSource {
    long width();

    long height();

    int channels();

    /** Channel {@code c} of rows [y0, y0 + h) and columns [x0, x0 + w), row-major. */
    float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException;

    /** Channel {@code c}'s pixels for its percentiles: the whole plane up to 16 M pixels, else parts spread over it. */
    float[] sample(int c) throws IOException;

    /** What the label image names as its source. */
    String describe();

    /**
     * A folder holding {@code TileConfiguration.registered.txt} or {@code TileConfiguration.txt} (or such a file
     * itself) is a mosaic of tiles; anything else is read as OME-Zarr.
     */
    static BlockSource open(Path input) throws IOException {
        Path configuration = TileMosaic.configuration(input);
        return configuration != null
                ? TileMosaic.open(configuration)
                : new Zarr(
                        OmeZarr.open(input), input.toAbsolutePath().normalize().toString());
    }

    /** An OME-Zarr image's plane: the channel axis's index c, every other leading axis at 0 (e.g. t and z). */
    record Zarr(OmeZarr.Image image, String describe) implements BlockSource {
        public long width() {
            return image.width();
        }

        public long height() {
            return image.height();
        }

        public int channels() {
            int c = image.axis("c");
            return c < 0 ? 1 : (int) image.array().shape()[c];
        }

        public float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException {
            return image.array().readPlane(lead(c), y0, x0, h, w);
        }

        private long[] lead(int c) {
            long[] lead = new long[image.array().shape().length - 2];
            if (image.axis("c") >= 0) lead[image.axis("c")] = c;
            return lead;
        }

        /** Whole chunks spread evenly over the plane where it exceeds 16 M pixels. */
        public float[] sample(int c) throws IOException {
            long w = width(), h = height();
            ZarrArray a = image.array();
            if (w * h <= 16L << 20) return a.readPlane(lead(c), 0, 0, (int) h, (int) w);
            int ch = a.chunks()[a.chunks().length - 2], cw = a.chunks()[a.chunks().length - 1];
            long ny = (h + ch - 1) / ch, nx = (w + cw - 1) / cw, total = ny * nx;
            long step = Math.max(1, total * ch * cw / (16L << 20));
            List<float[]> parts = new ArrayList<>();
            for (long k = step / 2; k < total; k += step) {
                long cy = k / nx, cx = k % nx;
                int rh = (int) Math.min(ch, h - cy * ch), rw = (int) Math.min(cw, w - cx * cw);
                parts.add(a.readPlane(lead(c), cy * ch, cx * cw, rh, rw));
            }
            return joined(parts);
        }
    }

    static float[] joined(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
