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

    /** Tile core size, halo and size multiple (all in pixels). */
    public record Layout(int tile, int halo, int multiple) {
        public Layout {
            if (multiple < 1 || tile < multiple || tile % multiple != 0 || halo < 0 || halo % multiple != 0) {
                throw new IllegalArgumentException(
                        "tiling: tile " + tile + " and halo " + halo + " must be multiples of " + multiple
                                + " (the network's size multiple), tile at least " + multiple);
            }
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
                int wh = wy1 - wy0, ww = wx1 - wx0;
                if (window.length != c * wh * ww) window = new float[c * wh * ww];
                source.read(wy0, wx0, wh, ww, window);
                Tensor out = engine.run(Tensor.of(window, 1, c, wh, ww));
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
