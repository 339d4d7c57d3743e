package org.cnnj.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Images in HDF5 files as the tools around Fiji write them: ilastik's exports and Fiji ilastik plugin's "Export HDF5"
 * ({@code exported_data} or {@code /data}, vigra axistags, five axes t, z, y, x, c), h5py arrays (one array, any name,
 * axes by rank: {@link Hdf5Arrays#axes}), and BigDataViewer / BigStitcher's HDF5 (full-resolution level
 * {@code /t00000/s00/0/cells} of its one view, signed 16-bit read as the unsigned values BDV means, the voxel size
 * from the XML beside it). 8-bit and 16-bit unsigned stay so; every other type becomes 32-bit float.
 */
public final class Hdf5Images {
    private Hdf5Images() {}

    /** BigDataViewer's full-resolution level of one view at one time point (signed shorts holding unsigned values). */
    private static final Pattern BDV_LEVEL0 = Pattern.compile("/t(\\d+)/s(\\d+)/0/cells");

    /** Any level of BigDataViewer's pyramid: time point, setup (view) and level. */
    private static final Pattern BDV_LEVEL = Pattern.compile("/t(\\d+)/s(\\d+)/(\\d+)/cells");

    /**
     * An image's planes in ImageJ's order (channel fastest, then z, then t), each {@code byte[]}, {@code short[]} or
     * {@code float[]} by {@code bits} (8, 16, 32) of rows of {@code width}; the voxel size (x, y, z) and its unit where the
     * file says (BigDataViewer's XML), else null.
     */
    public record Image(
            int width,
            int height,
            int channels,
            int slices,
            int frames,
            int bits,
            Object[] planes,
            double[] voxel,
            String unit) {}

    /**
     * The width, height, channels, slices and frames of the image and its bits per value, without reading it;
     * {@code readBytes}: what reading takes beside the planes (one channel of one time point as floats).
     */
    public record Shape(int width, int height, int channels, int slices, int frames, int bits, long readBytes) {
        /** The bytes of the image's planes. */
        public long bytes() {
            return (long) width * height * channels * slices * frames * (bits / 8);
        }
    }

    /** Whether a file whose first {@code n} bytes are {@code head} starts with HDF5's signature. */
    public static boolean isHdf5(byte[] head, int n) {
        byte[] signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        if (n < signature.length) return false;
        for (int i = 0; i < signature.length; i++) if (head[i] != signature[i]) return false;
        return true;
    }

    /** Called with an image's shape before its pixels are read (a memory check): what it throws stops the read. */
    public interface BeforePixels {
        void check(Shape shape) throws IOException;
    }

    static final String FIX = "save it again (ilastik, Fiji's Export HDF5, h5py) or as TIFF";

    public static Shape shape(Path file) throws IOException {
        return Hdf5Arrays.read(file, FIX, hdf -> found(hdf, file).shape);
    }

    public static Image read(Path file) throws IOException {
        return read(file, shape -> {});
    }

    /** The image, read once {@code check} has seen its shape; the file is opened once. */
    public static Image read(Path file, BeforePixels check) throws IOException {
        return Hdf5Arrays.read(file, FIX, hdf -> {
            Found f = found(hdf, file);
            Shape s = f.shape;
            check.check(s);
            Located l = f.located;
            Calibration cal = l.bdv ? bdvCalibration(file, hdf, l.dataset.getPath()) : null;
            Object[] planes = planes(new Hdf5Volume(file, null, l, cal), s);
            return new Image(
                    s.width,
                    s.height,
                    s.channels,
                    s.slices,
                    s.frames,
                    s.bits,
                    planes,
                    cal == null ? null : cal.voxel,
                    cal == null ? null : cal.unit);
        });
    }

    /** The image's dataset, axes and kind, and its shape. */
    private record Found(Located located, Shape shape) {}

    /** The image's dataset, its axes (t, z, y, x, c) and whether it is BigDataViewer's (unsigned values in shorts). */
    record Located(Dataset dataset, String axes, boolean bdv) {}

    static Located locate(HdfFile hdf, Path file) throws IOException {
        return locate(hdf, file, null);
    }

    /**
     * The image {@code wanted} names (a dataset's path, e.g. BigDataViewer's {@code /t00003/s01/0/cells}: one time point,
     * view and level of a file of many), or the one the file holds when {@code wanted} is null.
     */
    static Located locate(HdfFile hdf, Path file, String wanted) throws IOException {
        Dataset d = wanted == null ? dataset(hdf, file) : dataset(hdf, file, wanted);
        boolean bdv = BDV_LEVEL.matcher(d.getPath()).matches();
        return new Located(d, bdv ? "zyx" : Hdf5Arrays.axes(d, file), bdv);
    }

    private static Dataset dataset(HdfFile hdf, Path file, String wanted) throws IOException {
        List<Dataset> all = Hdf5Arrays.datasets(hdf);
        Dataset d = Hdf5Arrays.named(all, List.of(wanted.startsWith("/") ? wanted : "/" + wanted));
        if (d == null || d.getDimensions().length < 2) {
            throw new IOException(file + " holds no image array " + wanted + "; its datasets: " + Hdf5Arrays.names(all)
                    + " (BigDataViewer: /tTTTTT/sSS/L/cells for time point T, view S, level L)");
        }
        return d;
    }

    private static Found found(HdfFile hdf, Path file) throws IOException {
        Located l = locate(hdf, file);
        return new Found(l, shape(l.dataset, l.axes, l.bdv, file));
    }

    /**
     * ilastik's exported_data, its Fiji plugin's /data, BigDataViewer's full-resolution level when the file holds one
     * view at one time point; else the file's only array of two or more axes.
     */
    private static Dataset dataset(HdfFile hdf, Path file) throws IOException {
        List<Dataset> all = Hdf5Arrays.datasets(hdf);
        Dataset named = Hdf5Arrays.named(all, List.of("/" + Hdf5Arrays.EXPORTED, "/data"));
        if (named != null) return named;
        List<Dataset> bdv = all.stream()
                .filter(d -> BDV_LEVEL0.matcher(d.getPath()).matches())
                .toList();
        if (bdv.size() == 1) return bdv.get(0);
        if (bdv.size() > 1) {
            throw new IOException(file + " is a BigDataViewer file of " + bdv.size() + " views or time points ("
                    + Hdf5Arrays.names(bdv)
                    + "); which one to segment cannot be told: name it (./cnnj spark segment-blocks --dataset"
                    + " /t00000/s00/0/cells), save that view as a TIFF in Fiji (Plugins › BigDataViewer) or export one"
                    + " view per file");
        }
        return Hdf5Arrays.only(
                all,
                file,
                "no " + Hdf5Arrays.EXPORTED + " or /data; keep the image alone in its file (h5py) or name it data");
    }

    private static Shape shape(Dataset d, String axes, boolean bdv, Path file) throws IOException {
        int[] dims = d.getDimensions();
        int w = Hdf5Arrays.size(dims, axes, 'x'), h = Hdf5Arrays.size(dims, axes, 'y');
        if ((long) w * h > Integer.MAX_VALUE)
            throw new IOException(file + ": a plane of " + w + " × " + h + " pixels is more than ImageJ holds;"
                    + " segment it in blocks as it is: ./cnnj spark segment-blocks --input " + file);
        int bits = bits(d, bdv, file);
        int c = Hdf5Arrays.size(dims, axes, 'c');
        int z = Hdf5Arrays.size(dims, axes, 'z');
        int t = Hdf5Arrays.size(dims, axes, 't');
        if ((long) c * z * t > Integer.MAX_VALUE)
            throw new IOException(file + ": " + c * (long) z * t + " planes are more than an ImageJ stack holds");
        if (d.getSize() > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": " + d.getPath() + " holds " + d.getSize() + " values, more than one read"
                    + " takes (2^31); segment it in blocks as it is (./cnnj spark segment-blocks --input " + file
                    + ", one time point per file), or save it in parts (one file per time point or channel)");
        }
        return new Shape(w, h, c, z, t, bits, 4L * w * h * z); // one channel of one time point, as floats
    }

    /**
     * The bits per value ImageJ holds the dataset's values in: 8 and 16 for unsigned bytes and shorts (and BDV's signed
     * shorts, which hold unsigned values), 32 (float) for every other number; other values are refused.
     */
    static int bits(Dataset d, boolean bdv, Path file) throws IOException {
        if (d.getDataType() instanceof FixedPoint f) {
            boolean small = f.getSize() == 1 && !f.isSigned() || f.getSize() == 2 && (!f.isSigned() || bdv);
            return small ? 8 * f.getSize() : 32; // signed and wider integers: 32-bit float, as ImageJ holds them
        }
        if (d.getDataType() instanceof FloatingPoint) return 32;
        throw new IOException(
                file + ": " + d.getPath() + " holds " + d.getJavaType().getSimpleName()
                        + " values, not the numbers of an image; save the image as numbers (h5py: uint8, uint16, float32)");
    }

    /**
     * Every plane, in ImageJ's order: chunk by chunk, one channel of one time point at a time (jhdf's whole read, {@code
     * getDataFlat}, ignored the fill value of chunks never written, and refused them in HDF5's newer chunk indexes).
     */
    private static Object[] planes(Hdf5Volume v, Shape s) throws IOException {
        int n = s.width * s.height;
        Object[] planes = new Object[s.channels * s.slices * s.frames];
        for (int t = 0; t < s.frames; t++)
            for (int c = 0; c < s.channels; c++) {
                float[] box = v.read(c, t, new long[3], new int[] {s.slices, s.height, s.width});
                for (int z = 0; z < s.slices; z++)
                    planes[(t * s.slices + z) * s.channels + c] = plane(box, z * n, n, s.bits);
            }
        return planes;
    }

    /** {@code n} values of {@code box} from {@code from} as a plane of {@code bits} (8, 16: unsigned; 32: float). */
    private static Object plane(float[] box, int from, int n, int bits) {
        if (bits == 32) return Arrays.copyOfRange(box, from, from + n);
        if (bits == 8) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte) box[from + i];
            return b;
        }
        short[] sh = new short[n];
        for (int i = 0; i < n; i++) sh[i] = (short) box[from + i];
        return sh;
    }

    private static final Pattern VOXEL =
            Pattern.compile("<voxelSize>\\s*<unit>([^<]*)</unit>\\s*<size>\\s*([^<]+)</size>", Pattern.DOTALL);

    record Calibration(double[] voxel, String unit) {}

    /** One view's voxel size in BigDataViewer's XML: its id, and the unit and size that follow. */
    private static final Pattern SETUP_VOXEL = Pattern.compile(
            "<ViewSetup>.*?<id>\\s*(\\d+)\\s*</id>.*?<voxelSize>\\s*<unit>([^<]*)</unit>\\s*<size>\\s*([^<]+)</size>",
            Pattern.DOTALL);

    /**
     * The voxel size (x, y, z) and unit of BigDataViewer's dataset {@code path} (/tT/sS/L/cells): view S's voxel size in
     * the XML beside the file (same name, .xml; the first voxel size where no view has the id S), times level L's
     * down-sampling factors ({@code /sS/resolutions}, x, y, z); null without an XML or with a size that is not three
     * positive numbers (the image is then uncalibrated, as without the XML).
     */
    static Calibration bdvCalibration(Path file, HdfFile hdf, String path) throws IOException {
        Matcher level = BDV_LEVEL.matcher(path);
        if (!level.matches()) return null;
        String name = file.getFileName().toString();
        Path xml = file.resolveSibling(name.substring(0, name.lastIndexOf('.') + 1) + "xml");
        if (!Files.isRegularFile(xml)) return null;
        String text = new String(Files.readAllBytes(xml), StandardCharsets.UTF_8);
        String unit = null, size = null;
        for (Matcher m = SETUP_VOXEL.matcher(text); m.find(); )
            if (Integer.parseInt(m.group(1)) == Integer.parseInt(level.group(2))) {
                unit = m.group(2);
                size = m.group(3);
            }
        Matcher first = VOXEL.matcher(text);
        if (size == null && first.find()) {
            unit = first.group(1);
            size = first.group(2);
        }
        double[] v = size == null ? null : positive(size.trim().split("\\s+"));
        if (v == null) return null;
        int l = Integer.parseInt(level.group(3));
        if (l > 0) {
            double[] factors = resolution(hdf, "/s" + level.group(2) + "/resolutions", l);
            if (factors == null) return null;
            for (int i = 0; i < 3; i++) v[i] *= factors[i];
        }
        unit = unit.trim();
        return new Calibration(v, unit.equalsIgnoreCase("um") ? "µm" : unit);
    }

    /** Three positive finite numbers, else null. */
    private static double[] positive(String[] parts) {
        if (parts.length != 3) return null;
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (!(v[i] > 0) || Double.isInfinite(v[i])) return null;
        }
        return v;
    }

    /** Row {@code level} (x, y, z down-sampling) of BigDataViewer's resolutions table; null where it has none. */
    private static double[] resolution(HdfFile hdf, String path, int level) {
        Dataset table = Hdf5Arrays.named(Hdf5Arrays.datasets(hdf), List.of(path));
        if (table == null || !(table.getData() instanceof double[][] rows) || level >= rows.length) return null;
        double[] r = rows[level];
        return r.length == 3 && r[0] > 0 && r[1] > 0 && r[2] > 0 ? r.clone() : null;
    }
}
