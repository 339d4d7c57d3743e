package org.cnnj.runtime;

import java.util.Arrays;
import java.util.function.Consumer;
import org.cnnj.tensor.Tensor;

/**
 * Applies a network to an image of any size, tile by tile, so memory stays bounded. Each tile's core
 * (a multiple of the network's size multiple) is predicted from a window with {@code halo} pixels of
 * context on every side; windows start on multiples of the size multiple, so pooling grids line up
 * with the whole-image prediction and, with a halo covering the receptive field, the stitched result
 * equals it (up to float rounding). Pixels beyond the image read as 0 in both cases.
 */
public final class TiledPredictor {
    /** Reads an input window [C, h, w] at (y0, x0); zeros where the window leaves the image. */
    public interface Source {
        int channels();

        int height();

        int width();

        void read(int y0, int x0, int h, int w, float[] dst);
    }

    /**
     * Network output for one tile: {@code output} is the window [K, windowHeight, windowWidth]; the core
     * region (y0, x0, height, width) of the image sits at (offsetY, offsetX) in it.
     */
    public record Tile(
            float[] output,
            int classes,
            int windowHeight,
            int windowWidth,
            int offsetY,
            int offsetX,
            int y0,
            int x0,
            int height,
            int width) {
        /** A whole image's output [K, height, width] as one tile (output processed after the whole image is predicted). */
        public static Tile whole(float[] output, int classes, int height, int width) {
            return new Tile(output, classes, height, width, 0, 0, 0, 0, height, width);
        }

        /** Value of class k at image pixel (y, x) inside this tile's core. */
        public float at(int k, int y, int x) {
            return output[(k * windowHeight + offsetY + y - y0) * windowWidth + offsetX + x - x0];
        }

        /**
         * Where image pixel (y, x)'s class-0 value is in {@link #output}; class k's is {@link #plane()}·k further, and
         * the pixel to the right's one further (for loops that walk the output instead of calling {@link #at}).
         */
        public int index(int y, int x) {
            return (offsetY + y - y0) * windowWidth + offsetX + x - x0;
        }

        /** Values per class in {@link #output}. */
        public int plane() {
            return windowHeight * windowWidth;
        }

        /** The class with the largest output at image pixel (y, x) (the first of equals). */
        public int argmax(int y, int x) {
            return argmax(y, x, classes);
        }

        /** The same over the first {@code k} output channels only (the others are not classes, e.g. a distance channel). */
        public int argmax(int y, int x, int k) {
            return argmaxAt(index(y, x), k);
        }

        /** The same at {@link #index} {@code q} of the output (for loops that walk it). */
        public int argmaxAt(int q, int k) {
            int best = 0, plane = plane();
            float max = output[q];
            for (int c = 1; c < k; c++) {
                float value = output[q + c * plane];
                if (value > max) {
                    max = value;
                    best = c;
                }
            }
            return best;
        }
    }

    /**
     * The input sides a network takes: {@code min + k·step} pixels (k ≥ 0), or exactly {@code min} when {@code step}
     * is 0 (a model exported for one size). {@link #ANY}: every side.
     */
    public record Sizes(int min, int step) {
        public static final Sizes ANY = new Sizes(1, 1);

        public Sizes {
            if (min < 1 || step < 0)
                throw new IllegalArgumentException(
                        "input sizes: min must be >= 1 and step >= 0, got " + min + ", " + step);
        }

        /** True for a network that takes one size only. */
        public boolean fixed() {
            return step == 0;
        }

        /** The smallest side this network takes that holds {@code n} pixels. */
        public int fit(int n) {
            if (n <= min) return min;
            if (fixed())
                throw new IllegalArgumentException(
                        "a window of " + n + " px is larger than the " + min + " px the model takes");
            return min + (n - min + step - 1) / step * step;
        }

        /** As the specification writes it: "512" or "64 + k·16". */
        @Override
        public String toString() {
            return fixed() ? String.valueOf(min) : min + " + k·" + step;
        }
    }

    /**
     * Tile core size, halo and size multiple (all in pixels); the input sides the network takes (each window is padded
     * at its bottom and right, mirrored, to the smallest it takes: a model exported for 512 px runs on any image).
     */
    public record Layout(int tile, int halo, int multiple, Sizes height, Sizes width) {
        public Layout {
            if (multiple < 1 || tile < multiple || tile % multiple != 0 || halo < 0 || halo % multiple != 0) {
                throw new IllegalArgumentException(
                        "tiling: tile " + tile + " and halo " + halo + " must be multiples of " + multiple
                                + " (the network's size multiple), tile at least " + multiple);
            }
            height = height == null ? Sizes.ANY : height;
            width = width == null ? Sizes.ANY : width;
        }

        public Layout(int tile, int halo, int multiple) {
            this(tile, halo, multiple, Sizes.ANY, Sizes.ANY);
        }

        /**
         * The layout of a network that takes windows of exactly {@code height} × {@code width} pixels: cores of the
         * smaller side less both halos, each window at most that size (smaller ones at the image's edges are padded).
         */
        public static Layout fixed(int height, int width, int halo) {
            int tile = Math.min(height, width) - 2 * halo;
            if (tile < 1)
                throw new IllegalArgumentException("tiling: a halo of " + halo + " px leaves nothing of a " + height
                        + " × " + width + " px window; the model's halo must be less than half its input size");
            return new Layout(tile, halo, 1, new Sizes(height, 0), new Sizes(width, 0));
        }

        /**
         * The largest tile whose window (with {@code halo}) fits {@code budgetBytes} at {@code bytesPerPixel} of working
         * memory, at most {@code maxTile}, as a multiple of the size multiple {@code m}.
         */
        public static Layout forMemory(int halo, int m, long budgetBytes, long bytesPerPixel, int maxTile) {
            int window = (int) Math.sqrt((double) budgetBytes / Math.max(1, bytesPerPixel));
            int tile = Math.min(maxTile, (window - 2 * halo) / m * m);
            // Never below the halo: a smaller tile spends most of its time on context (a 16 px tile with a 128 px halo,
            // 289x).
            int least = (Math.max(halo, m) + m - 1) / m * m;
            return new Layout(Math.max(least, tile), halo, m);
        }

        /** The same layout for a network that takes only sides of {@code h} and {@code w}. */
        public Layout withSizes(Sizes h, Sizes w) {
            return new Layout(tile, halo, multiple, h, w);
        }
    }

    /** Rows [start, end) of an image, and who hears after each of their tiles (or null). */
    public record Rows(int start, int end, Progress progress) {}

    /** Progress after each tile: done and total. */
    public interface Progress {
        void update(int done, int total);
    }

    private TiledPredictor() {}

    public static void predict(Engine engine, Source source, Layout layout, Consumer<Tile> sink, Progress progress) {
        predictRows(engine, source, layout, new Rows(0, Integer.MAX_VALUE, progress), sink);
    }

    /**
     * The tiles whose cores start in rows [start, end) — {@code start} a multiple of the tile
     * size — exactly as {@link #predict} makes them (same windows, same context), so an image can be
     * processed band by band with the same result as in one go.
     */
    public static void predictRows(Engine engine, Source source, Layout layout, Rows rows, Consumer<Tile> sink) {
        int rowStart = rows.start(), rowEnd = rows.end();
        Progress progress = rows.progress();
        if (rowStart % layout.tile() != 0)
            throw new IllegalArgumentException("row band must start on the tile grid, got " + rowStart);
        int h = source.height(), w = source.width(), c = source.channels(), m = layout.multiple();
        // A network that takes one size: windows of that size placed inside the image (at its edges shifted in, not
        // cut),
        // so the network sees the image's own borders as on the whole image; an image no larger is one window.
        boolean fixed = layout.height().fixed() && layout.width().fixed();
        int sy = layout.height().min(), sx = layout.width().min();
        if (fixed && h <= sy && w <= sx) layout = new Layout(Math.max(h, w), 0, 1, layout.height(), layout.width());
        int paddedH = roundUp(h, m), paddedW = roundUp(w, m), end = Math.min(paddedH, rowEnd);
        int tilesY = (end - rowStart + layout.tile() - 1) / layout.tile(),
                tilesX = (paddedW + layout.tile() - 1) / layout.tile();
        int total = tilesY * tilesX, done = 0;
        float[] window = new float[0];
        for (int ty = rowStart; ty < end; ty += layout.tile()) {
            for (int tx = 0; tx < paddedW; tx += layout.tile()) {
                int coreH = Math.min(layout.tile(), paddedH - ty), coreW = Math.min(layout.tile(), paddedW - tx);
                int wy0 = Math.max(0, ty - layout.halo()), wx0 = Math.max(0, tx - layout.halo());
                int wy1 = Math.min(paddedH, ty + coreH + layout.halo()),
                        wx1 = Math.min(paddedW, tx + coreW + layout.halo());
                if (fixed) {
                    wy0 = Math.max(0, Math.min(ty - layout.halo(), paddedH - sy));
                    wx0 = Math.max(0, Math.min(tx - layout.halo(), paddedW - sx));
                    wy1 = Math.min(paddedH, wy0 + sy);
                    wx1 = Math.min(paddedW, wx0 + sx);
                }
                int wh = wy1 - wy0, ww = wx1 - wx0;
                if (window.length != c * wh * ww) window = new float[c * wh * ww];
                source.read(wy0, wx0, wh, ww, window);
                Tensor out = run(engine, layout, Tensor.of(window, 1, c, wh, ww));
                if (out.rank() != 4 || out.dim(2) != wh || out.dim(3) != ww) {
                    throw new IllegalStateException(
                            "the model turned a " + wh + "x" + ww + " tile into output " + out
                                    + "; CNN-J needs a fully convolutional model whose output has the input's height and width");
                }
                sink.accept(new Tile(
                        out.data(),
                        out.dim(1),
                        wh,
                        ww,
                        ty - wy0,
                        tx - wx0,
                        ty,
                        tx,
                        Math.min(coreH, h - ty),
                        Math.min(coreW, w - tx)));
                if (progress != null) progress.update(++done, total);
            }
        }
    }

    /**
     * Runs a window [1, C, h, w] as the layout's sizes allow: as it is, or mirrored at its bottom and right to the
     * smallest size the network takes, the output cut back to the window.
     */
    static Tensor run(Engine engine, Layout layout, Tensor window) {
        int c = window.dim(1), h = window.dim(2), w = window.dim(3);
        int fh = layout.height().fit(h), fw = layout.width().fit(w);
        if (fh == h && fw == w) return engine.run(window);
        float[] padded = new float[c * fh * fw], in = window.data();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < fh; y++) {
                int sy = mirror(y, h);
                for (int x = 0; x < fw; x++) padded[(ch * fh + y) * fw + x] = in[(ch * h + sy) * w + mirror(x, w)];
            }
        }
        Tensor out = engine.run(Tensor.of(padded, 1, c, fh, fw));
        if (out.rank() != 4 || out.dim(2) != fh || out.dim(3) != fw) return out; // the caller names the mismatch
        int k = out.dim(1);
        float[] cut = new float[k * h * w], o = out.data();
        for (int ch = 0; ch < k; ch++)
            for (int y = 0; y < h; y++) System.arraycopy(o, (ch * fh + y) * fw, cut, (ch * h + y) * w, w);
        return Tensor.of(cut, 1, k, h, w);
    }

    /** Index {@code i} of a side of {@code n} pixels mirrored at its ends without repeating them (numpy's "reflect"). */
    static int mirror(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1), j = Math.floorMod(i, period);
        return j < n ? j : period - j;
    }

    /** A source over normalized planes [C][H·W]. */
    public static Source planes(float[][] planes, int width, int height) {
        return new Source() {
            public int channels() {
                return planes.length;
            }

            public int height() {
                return height;
            }

            public int width() {
                return width;
            }

            public void read(int y0, int x0, int h, int w, float[] dst) {
                Arrays.fill(dst, 0f);
                int rows = Math.max(0, Math.min(h, height - y0)), cols = Math.max(0, Math.min(w, width - x0));
                for (int c = 0; c < planes.length; c++) {
                    for (int y = 0; y < rows; y++)
                        System.arraycopy(planes[c], (y0 + y) * width + x0, dst, (c * h + y) * w, cols);
                }
            }
        };
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
