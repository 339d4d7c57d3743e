package org.cnnj.spark;

import ij.ImagePlus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnj.ij.Planes;
import org.cnnj.ij.Tiffs;

/**
 * A huge 2-D image given as a folder of tiles (TIFF, PNG, JPEG; one plane each, any channels) placed by a stitching
 * configuration as Fiji's Grid/Collection stitching and BigStitcher's export write it: {@code TileConfiguration.txt}
 * ({@code dim = 2}, then one line per tile: {@code name; ; (x, y)}), or {@code TileConfiguration.registered.txt} with
 * the positions the stitcher found, which is preferred. Positions are rounded to whole pixels (sub-pixel shifts are not
 * resampled) and shifted so the mosaic starts at (0, 0). Where tiles overlap, a pixel comes from the tile whose centre
 * is nearest (the first listed on a tie): the middle of a tile, not its vignetted or misregistered edge, and the same
 * value whichever block reads it. Pixels no tile covers are 0.
 */
final class TileMosaic implements BlockSource {
    /** A tile's file, its top-left corner in the mosaic and its size. */
    record Tile(Path file, long x, long y, int width, int height) {
        double centreX() {
            return x + width / 2.0;
        }

        double centreY() {
            return y + height / 2.0;
        }
    }

    private final Path configuration;
    private final List<Tile> tiles;
    private final long width, height;
    private final int channels;

    private TileMosaic(Path configuration, List<Tile> tiles, int channels) {
        this.configuration = configuration;
        this.tiles = tiles;
        this.channels = channels;
        long w = 0, h = 0;
        for (Tile t : tiles) {
            w = Math.max(w, t.x() + t.width());
            h = Math.max(h, t.y() + t.height());
        }
        this.width = w;
        this.height = h;
    }

    /** The configuration {@code input} names (the file itself, or the one in the folder), or null when none. */
    static Path configuration(Path input) {
        if (Files.isRegularFile(input) && input.getFileName().toString().endsWith(".txt")) return input;
        if (!Files.isDirectory(input)) return null;
        for (String name : new String[] {"TileConfiguration.registered.txt", "TileConfiguration.txt"}) {
            Path p = input.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    static TileMosaic open(Path configuration) throws IOException {
        List<String> lines = Files.readAllLines(configuration);
        List<Tile> placed = new ArrayList<>();
        List<double[]> at = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String where = configuration + " line " + (n + 1);
            if (line.startsWith("dim")) {
                String dim = line.replaceFirst("^dim\\s*=\\s*", "").trim();
                if (!dim.equals("2"))
                    throw new IOException(where + ": dim = " + dim + "; blocks are segmented in 2-D mosaics (dim = 2);"
                            + " export a 3-D stack's planes as 2-D mosaics, or give an OME-Zarr image");
                continue;
            }
            String[] parts = line.split(";", -1);
            String coordinates = parts.length == 3 ? parts[2].trim() : "";
            if (!coordinates.startsWith("(") || !coordinates.endsWith(")"))
                throw new IOException(where + ": \"" + line + "\" is not a tile line \"name; ; (x, y)\"");
            String[] xy = coordinates.substring(1, coordinates.length() - 1).split(",");
            if (xy.length != 2)
                throw new IOException(where + ": a tile needs 2 coordinates (x, y), got " + (xy.length) + "; a 3-D"
                        + " configuration is not a 2-D mosaic");
            double x, y;
            try {
                x = Double.parseDouble(xy[0].trim());
                y = Double.parseDouble(xy[1].trim());
            } catch (NumberFormatException e) {
                throw new IOException(where + ": the position " + coordinates + " is not two numbers");
            }
            Path file = configuration.resolveSibling(parts[0].trim());
            if (!Files.isRegularFile(file))
                throw new IOException(where + ": the tile " + file + " does not exist; copy it beside the"
                        + " configuration or correct its name there");
            int[] size = Tiffs.size(file);
            placed.add(new Tile(file, 0, 0, size[0], size[1]));
            at.add(new double[] {x, y});
        }
        if (placed.isEmpty()) throw new IOException(configuration + " lists no tiles (lines \"name; ; (x, y)\")");
        long minX = Long.MAX_VALUE, minY = Long.MAX_VALUE;
        for (double[] p : at) {
            minX = Math.min(minX, Math.round(p[0]));
            minY = Math.min(minY, Math.round(p[1]));
        }
        List<Tile> tiles = new ArrayList<>();
        for (int i = 0; i < placed.size(); i++) {
            Tile t = placed.get(i);
            tiles.add(new Tile(
                    t.file(), Math.round(at.get(i)[0]) - minX, Math.round(at.get(i)[1]) - minY, t.width(), t.height()));
        }
        return new TileMosaic(configuration, List.copyOf(tiles), Planes.channels(read(tiles.get(0))));
    }

    List<Tile> tiles() {
        return tiles;
    }

    public long width() {
        return width;
    }

    public long height() {
        return height;
    }

    public int channels() {
        return channels;
    }

    public String describe() {
        return configuration.toAbsolutePath().normalize().toString();
    }

    public float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException {
        float[] out = new float[h * w];
        double[] nearest = new double[h * w];
        Arrays.fill(nearest, Double.MAX_VALUE);
        for (Tile t : tiles) {
            long ix0 = Math.max(x0, t.x()), ix1 = Math.min(x0 + w, t.x() + t.width());
            long iy0 = Math.max(y0, t.y()), iy1 = Math.min(y0 + h, t.y() + t.height());
            if (ix0 >= ix1 || iy0 >= iy1) continue;
            float[] plane = plane(t, c);
            for (long y = iy0; y < iy1; y++) {
                double dy = y + 0.5 - t.centreY();
                for (long x = ix0; x < ix1; x++) {
                    double dx = x + 0.5 - t.centreX(), d = dx * dx + dy * dy;
                    int i = (int) ((y - y0) * w + (x - x0));
                    if (d < nearest[i]) {
                        nearest[i] = d;
                        out[i] = plane[(int) ((y - t.y()) * t.width() + (x - t.x()))];
                    }
                }
            }
        }
        return out;
    }

    /** Whole tiles spread evenly over the list where the mosaic exceeds 16 M pixels. */
    public float[] sample(int c) throws IOException {
        if (width * height <= 16L << 20) return readPlane(c, 0, 0, (int) height, (int) width);
        long total = 0;
        for (Tile t : tiles) total += (long) t.width() * t.height();
        int step = (int) Math.max(1, total / (16L << 20));
        List<float[]> parts = new ArrayList<>();
        for (int i = step / 2; i < tiles.size(); i += step) parts.add(plane(tiles.get(i), c));
        return BlockSource.joined(parts);
    }

    /** Channel {@code c} of a tile, checked against the mosaic's size and channels. */
    private float[] plane(Tile t, int c) throws IOException {
        ImagePlus imp = read(t);
        if (imp.getWidth() != t.width() || imp.getHeight() != t.height() || Planes.channels(imp) != channels)
            throw new IOException(String.format(
                    Locale.ROOT,
                    "tile %s is %dx%d with %d channel(s), but its header said %dx%d and the first tile has %d;"
                            + " every tile of a mosaic must have the same channels",
                    t.file(),
                    imp.getWidth(),
                    imp.getHeight(),
                    Planes.channels(imp),
                    t.width(),
                    t.height(),
                    channels));
        return Planes.of(imp, 0)[c];
    }

    private static ImagePlus read(Tile t) throws IOException {
        return Tiffs.open(t.file());
    }
}
