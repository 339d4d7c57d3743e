package org.cnnj.spark;

import ij.ImagePlus;
import ij.measure.Calibration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cnnj.ij.Planes;
import org.cnnj.ij.Tiffs;

/**
 * A volume as a folder of TIFF planes, one file per z (as light-sheet and confocal software and Fiji's Image › Stacks
 * › Tools › Image Sequence export them), in the natural order of their names (plane2 before plane10). Every plane must
 * have the first one's size and one channel. A block reads the planes it spans, each whole (a plane's region is cut
 * after reading it). The voxel size: the first plane's xy calibration and its "spacing" (ImageJ writes it for a
 * stack's slices), where both are there.
 */
final class PlaneFolder implements BlockSource {
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private final Path folder;
    private final List<Path> planes;
    private final int width, height;
    private final double[] voxel;

    private PlaneFolder(Path folder, List<Path> planes, int width, int height, double[] voxel) {
        this.folder = folder;
        this.planes = planes;
        this.width = width;
        this.height = height;
        this.voxel = voxel;
    }

    /** Whether {@code input} is a folder holding TIFF files and no Zarr metadata. */
    static boolean holdsPlanes(Path input) throws IOException {
        if (!Files.isDirectory(input)
                || Files.exists(input.resolve(".zattrs"))
                || Files.exists(input.resolve(".zarray"))) return false;
        return !tiffs(input).isEmpty();
    }

    static PlaneFolder open(Path folder) throws IOException {
        List<Path> planes = tiffs(folder);
        ImagePlus first = Tiffs.open(planes.get(0));
        if (planes.size() < 2 && first.getStackSize() > 1)
            throw new IOException(planes.get(0) + " is a whole z-stack in one file, and the only TIFF in " + folder
                    + "; segment it with ./cnnj segment (a stack that fits one file fits one machine), or write it as an"
                    + " OME-Zarr volume or as one TIFF per plane (File › Save As › Image Sequence…) for blocks");
        if (planes.size() < 2)
            throw new IOException(folder + " holds one TIFF plane; a volume of planes needs one file per z (for one"
                    + " plane too large for a machine, give an OME-Zarr image)");
        if (Planes.channels(first) != 1 || first.getStackSize() != 1)
            throw new IOException(planes.get(0) + " is not one single-channel plane (" + Planes.channels(first)
                    + " channel(s), " + first.getStackSize() + " slice(s)); a folder of planes takes one grey plane per"
                    + " file: split the channels first (Image › Color › Split Channels)");
        Calibration cal = first.getCalibration();
        Object spacing = first.getProperty("Info") == null ? null : spacing(String.valueOf(first.getProperty("Info")));
        double[] voxel = cal.scaled() && spacing != null
                ? new double[] {(Double) spacing, cal.pixelHeight, cal.pixelWidth}
                : null;
        return new PlaneFolder(
                folder.toAbsolutePath().normalize(), List.copyOf(planes), first.getWidth(), first.getHeight(), voxel);
    }

    /** "spacing=2.0" from an ImageJ description, or null. */
    private static Double spacing(String info) {
        Matcher m = Pattern.compile("spacing=([0-9.eE+-]+)").matcher(info);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    private static List<Path> tiffs(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return !n.startsWith(".") && (n.endsWith(".tif") || n.endsWith(".tiff"));
                    })
                    .sorted(Comparator.comparing(p -> naturalKey(p.getFileName().toString())))
                    .toList();
        }
    }

    /** The name with every number zero-padded to 20 digits: names sort as their numbers do. */
    static String naturalKey(String name) {
        Matcher m = NUMBER.matcher(name);
        StringBuilder key = new StringBuilder();
        while (m.find())
            m.appendReplacement(key, "0".repeat(Math.max(0, 20 - m.group().length())) + m.group());
        m.appendTail(key);
        return key.toString();
    }

    public long width() {
        return width;
    }

    public long height() {
        return height;
    }

    public long depth() {
        return planes.size();
    }

    public int channels() {
        return 1;
    }

    public double[] voxel() {
        return voxel == null ? null : voxel.clone();
    }

    public String describe() {
        return folder.toString();
    }

    public float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException {
        return readBox(c, Box.plane(y0, x0, h, w));
    }

    public float[] readBox(int c, Box box) throws IOException {
        int w = box.width(), h = box.height();
        float[] out = new float[box.depth() * h * w];
        for (int z = 0; z < box.depth(); z++) {
            long at = box.z() + z;
            if (at < 0 || at >= planes.size()) continue;
            float[] plane = plane((int) at);
            for (int y = 0; y < h; y++) {
                long sy = box.y() + y;
                if (sy < 0 || sy >= height) continue;
                for (int x = 0; x < w; x++) {
                    long sx = box.x() + x;
                    if (sx >= 0 && sx < width) out[(z * h + y) * w + x] = plane[(int) (sy * width + sx)];
                }
            }
        }
        return out;
    }

    /** Whole planes spread evenly over z, about 16 M voxels. */
    public float[] sample(int c) throws IOException {
        int step = (int) Math.max(1, (long) planes.size() * width * height / (16L << 20));
        List<float[]> parts = new ArrayList<>();
        for (int z = step / 2; z < planes.size(); z += step) parts.add(plane(z));
        return BlockSource.joined(parts);
    }

    private float[] plane(int z) throws IOException {
        Path file = planes.get(z);
        ImagePlus imp = Tiffs.open(file);
        if (imp.getWidth() != width || imp.getHeight() != height || Planes.channels(imp) != 1)
            throw new IOException(String.format(
                    Locale.ROOT,
                    "plane %s is %dx%d with %d channel(s), but %s is %dx%d with one; every plane of the folder must"
                            + " have the same size",
                    file,
                    imp.getWidth(),
                    imp.getHeight(),
                    Planes.channels(imp),
                    planes.get(0).getFileName(),
                    width,
                    height));
        return Planes.of(imp, 0)[0];
    }
}
