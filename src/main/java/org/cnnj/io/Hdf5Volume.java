package org.cnnj.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.OrderedDataType;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An HDF5 image read box by box, never whole: the image {@link Hdf5Images} finds (ilastik, h5py, BigDataViewer's
 * full-resolution level), of any size, read chunk by chunk — only the chunks a box overlaps are decompressed, a chunk
 * never written reads as the dataset's fill value. For volumes larger than one read or one machine's memory
 * (BigDataViewer / BigStitcher light-sheet files are 10^9–10^11 voxels): Spark's {@code segment-blocks} reads its blocks
 * so. (jhdf's own sliced read, {@code getData(offset, shape)}, returned zeros where a slice crossed a chunk border in
 * 0.10.0; its per-chunk read is used instead, the chunks of one read decompressed in parallel.) One read at a time:
 * one reader per thread, or reads in turn.
 */
public final class Hdf5Volume implements Closeable {
    private final Path file;
    private final HdfFile hdf;
    private final Dataset dataset;
    private final String axes;
    private final int[] dims;
    private final Values values;
    private final double[] voxel;
    private final String unit;

    /**
     * A reader of {@code found} in {@code hdf}; {@code hdf} null: the file is the caller's to close ({@link
     * Hdf5Images} reads its planes so, on a file it opened).
     */
    Hdf5Volume(Path file, HdfFile hdf, Hdf5Images.Located found, Hdf5Images.Calibration cal) throws IOException {
        this.file = file;
        this.hdf = hdf;
        this.dataset = found.dataset();
        this.axes = found.axes();
        this.dims = dataset.getDimensions();
        Hdf5Images.bits(dataset, found.bdv(), file); // refuses values that are not numbers
        this.values = Values.of(dataset, found.bdv(), file);
        this.voxel = cal == null ? null : new double[] {cal.voxel()[2], cal.voxel()[1], cal.voxel()[0]};
        this.unit = cal == null ? null : cal.unit();
    }

    /** Opens {@code file}'s image (its metadata and chunk index, not its values); close it when done. */
    public static Hdf5Volume open(Path file) throws IOException {
        return open(file, null);
    }

    /**
     * Opens the image {@code dataset} names (a path in the file, e.g. BigDataViewer's {@code /t00003/s01/0/cells} for
     * time point 3 of view 1), or the file's image when null.
     */
    public static Hdf5Volume open(Path file, String dataset) throws IOException {
        HdfFile hdf = null;
        try {
            hdf = new HdfFile(file);
            Hdf5Images.Located found = Hdf5Images.locate(hdf, file, dataset);
            Hdf5Images.Calibration cal = found.bdv()
                    ? Hdf5Images.bdvCalibration(file, hdf, found.dataset().getPath())
                    : null;
            return new Hdf5Volume(file, hdf, found, cal);
        } catch (IOException | RuntimeException | LinkageError e) {
            if (hdf != null) hdf.close();
            if (e instanceof IOException io) throw io;
            throw Hdf5Arrays.unreadable(file, e, Hdf5Images.FIX);
        }
    }

    public long width() {
        return Hdf5Arrays.size(dims, axes, 'x');
    }

    public long height() {
        return Hdf5Arrays.size(dims, axes, 'y');
    }

    public long depth() {
        return Hdf5Arrays.size(dims, axes, 'z');
    }

    public int channels() {
        return Hdf5Arrays.size(dims, axes, 'c');
    }

    public int frames() {
        return Hdf5Arrays.size(dims, axes, 't');
    }

    /** The voxel size (z, y, x) BigDataViewer's XML beside the file gives, else null. */
    public double[] voxel() {
        return voxel == null ? null : voxel.clone();
    }

    /** The unit of {@link #voxel()}, else null. */
    public String unit() {
        return unit;
    }

    /** The chunk (z, y, x) the values are stored in: the whole array's where it is not chunked. */
    public int[] chunk() {
        int[] c = dataset instanceof ChunkedDataset cd ? cd.getChunkDimensions() : dims;
        return new int[] {size(c, 'z'), size(c, 'y'), size(c, 'x')};
    }

    private int size(int[] d, char axis) {
        return Hdf5Arrays.size(d, axes, axis);
    }

    /** What the messages name: the file and its dataset. */
    public String describe() {
        return file + " (" + dataset.getPath() + ")";
    }

    /**
     * Channel {@code c} of the box at {@code corner} (z, y, x) of {@code size} (depth, height, width) in the first time
     * point, z slowest, as float (BigDataViewer's shorts as unsigned).
     */
    public float[] read(int c, long[] corner, int[] size) throws IOException {
        return read(c, 0, corner, size);
    }

    /** Channel {@code c} of the box in time point {@code t}. */
    float[] read(int c, int t, long[] corner, int[] size) throws IOException {
        int n = dims.length;
        long[] lo = new long[n], hi = new long[n];
        for (int a = 0; a < n; a++) {
            char axis = axes.charAt(a);
            int k = "zyx".indexOf(axis);
            lo[a] = axis == 'c' ? c : axis == 't' ? t : k < 0 ? 0 : corner[k];
            hi[a] = lo[a] + (k < 0 ? 1 : size[k]);
            if (lo[a] < 0 || hi[a] > dims[a] || hi[a] <= lo[a])
                throw new IllegalArgumentException(describe() + ": the box "
                        + (k < 0 ? axis + "=" + lo[a] : axis + " [" + lo[a] + ", " + hi[a] + ")") + " is outside its "
                        + dims[a] + " along " + axis);
        }
        long[] outStride = new long[n]; // where a step along each axis lands in the box, z slowest
        int sz = axes.indexOf('z'), sy = axes.indexOf('y'), sx = axes.indexOf('x');
        if (sx >= 0) outStride[sx] = 1;
        if (sy >= 0) outStride[sy] = size[2];
        if (sz >= 0) outStride[sz] = (long) size[1] * size[2];
        long count = (long) size[0] * size[1] * size[2];
        if (count > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(describe() + ": a box of " + count + " values is more than one read"
                    + " takes (2^31); read it in smaller boxes");
        float[] out = new float[(int) count];
        try {
            if (dataset instanceof ChunkedDataset cd) readChunks(cd, lo, hi, outStride, out);
            else if (dataset instanceof ContiguousDataset cd)
                copy(cd.getBuffer(), new long[n], dims, lo, hi, outStride, out);
            else copy(dataset.getDataFlat(), lo, hi, outStride, out);
        } catch (RuntimeException e) { // a damaged chunk or index: jhdf's exceptions, buffer and index errors
            throw new IOException(
                    describe() + ": its values could not be read (" + e.getMessage() + "); " + Hdf5Images.FIX);
        }
        return out;
    }

    /**
     * Every chunk the box [lo, hi) overlaps, decompressed once, its overlap copied — in parallel, as jhdf's own whole
     * read decompresses (the chunks write disjoint parts of the box).
     */
    private void readChunks(ChunkedDataset cd, long[] lo, long[] hi, long[] outStride, float[] out) {
        int n = dims.length;
        int[] chunk = cd.getChunkDimensions();
        long[] first = new long[n], last = new long[n], at = new long[n];
        for (int a = 0; a < n; a++) {
            first[a] = lo[a] / chunk[a];
            last[a] = (hi[a] - 1) / chunk[a];
            at[a] = first[a];
        }
        List<long[]> origins = new ArrayList<>();
        while (true) {
            long[] origin = new long[n];
            for (int a = 0; a < n; a++) origin[a] = at[a] * chunk[a];
            origins.add(origin);
            int a = n - 1; // the next chunk, the last axis fastest
            while (a >= 0 && at[a] == last[a]) at[a] = first[a--];
            if (a < 0) break;
            at[a]++;
        }
        origins.parallelStream().forEach(origin -> {
            int[] offset = new int[n];
            for (int a = 0; a < n; a++) offset[a] = Math.toIntExact(origin[a]);
            ByteBuffer bytes = chunkBytes(cd, offset);
            if (bytes == null) fill(origin, chunk, lo, hi, outStride, out);
            else copy(bytes, origin, chunk, lo, hi, outStride, out);
        });
    }

    /** A chunk's values in the file's byte order; null for a chunk never written (it holds the fill value). */
    private ByteBuffer chunkBytes(ChunkedDataset cd, int[] offset) {
        byte[] raw;
        try {
            raw = cd.getDecompressedChunk(offset);
        } catch (HdfException e) {
            // never written: missing from a B-tree index; in a fixed or extensible array index, at HDF5's undefined
            // address
            String m = String.valueOf(e.getMessage());
            if (m.startsWith("No chunk with offset") || m.endsWith("at address -1")) return null;
            throw e;
        }
        return ByteBuffer.wrap(raw).order(values.order);
    }

    /**
     * Copies the values of the stored block at {@code origin} of {@code extent} (C order, the dataset's axes) that lie
     * in [lo, hi) into the box.
     */
    private void copy(
            ByteBuffer bytes, long[] origin, int[] extent, long[] lo, long[] hi, long[] outStride, float[] out) {
        ByteBuffer b = bytes.duplicate().order(values.order);
        long step = outStride[dims.length - 1];
        forEachRun(
                origin,
                extent,
                lo,
                hi,
                outStride,
                (source, target, run) -> values.copy(b, source, out, target, step, run));
    }

    private void fill(long[] origin, int[] extent, long[] lo, long[] hi, long[] outStride, float[] out) {
        float v = values.fill;
        forEachRun(origin, extent, lo, hi, outStride, (source, target, run) -> {
            for (int i = 0; i < run; i++) out[(int) (target + i * outStride[dims.length - 1])] = v;
        });
    }

    /** A small dataset stored in its header (HDF5's compact layout): read whole. */
    private void copy(Object flat, long[] lo, long[] hi, long[] outStride, float[] out) {
        forEachRun(new long[dims.length], dims, lo, hi, outStride, (source, target, run) -> {
            for (int i = 0; i < run; i++)
                out[(int) (target + i * outStride[dims.length - 1])] =
                        Hdf5Arrays.real(flat, (int) (source + i), values.unsigned);
        });
    }

    /** A run of values along the last axis: its first index in the stored block, its first in the box, its length. */
    private interface Run {
        void copy(long source, long target, int length);
    }

    /**
     * Walks the overlap of the stored block (origin, extent) with the box [lo, hi) as runs along the last axis, handing
     * each run's index in the block (C order) and in the box.
     */
    private void forEachRun(long[] origin, int[] extent, long[] lo, long[] hi, long[] outStride, Run run) {
        int n = dims.length;
        long[] from = new long[n], to = new long[n], at = new long[n];
        for (int a = 0; a < n; a++) {
            from[a] = Math.max(lo[a], origin[a]);
            to[a] = Math.min(hi[a], origin[a] + extent[a]);
            if (from[a] >= to[a]) return;
            at[a] = from[a];
        }
        long[] stride = Hdf5Arrays.strides(extent);
        int length = (int) (to[n - 1] - from[n - 1]);
        while (true) {
            long source = 0, target = 0;
            for (int a = 0; a < n; a++) {
                source += (at[a] - origin[a]) * stride[a];
                target += (at[a] - lo[a]) * outStride[a];
            }
            run.copy(source, target, length);
            int a = n - 2;
            while (a >= 0 && at[a] == to[a] - 1) at[a] = from[a--];
            if (a < 0) return;
            at[a]++;
        }
    }

    /** How the dataset's values are stored: element size, byte order, signedness, integer or floating point. */
    private record Values(int size, boolean floating, boolean unsigned, ByteOrder order, float fill) {
        static Values of(Dataset d, boolean bdv, Path file) throws IOException {
            ByteOrder order = d.getDataType() instanceof OrderedDataType o ? o.getByteOrder() : ByteOrder.LITTLE_ENDIAN;
            int size = d.getDataType().getSize();
            boolean floating = d.getDataType() instanceof FloatingPoint;
            boolean unsigned = bdv || Hdf5Arrays.unsigned(d); // BDV's shorts hold unsigned values
            if (floating ? size != 4 && size != 8 : size != 1 && size != 2 && size != 4 && size != 8)
                throw new IOException(file + ": " + d.getPath() + " holds " + size + "-byte values; save it as 8-, 16-"
                        + " or 32-bit integers or 32-bit floats");
            float fill = 0;
            Object f = d.getFillValue();
            if (f instanceof Number v) fill = v.floatValue();
            if (!floating && unsigned && fill < 0) fill += (float) Math.pow(2, 8 * size); // jhdf reads it signed
            return new Values(size, floating, unsigned, order, fill);
        }

        /**
         * Values {@code source} … {@code source + n − 1} of a block into {@code out} from {@code target} in steps of
         * {@code step}; one loop per type, so that each is a tight loop.
         */
        void copy(ByteBuffer b, long source, float[] out, long target, long step, int n) {
            int p = Math.toIntExact(source * size), t = Math.toIntExact(target), s = (int) step;
            if (floating && size == 4) for (int i = 0; i < n; i++, p += 4, t += s) out[t] = b.getFloat(p);
            else if (floating) for (int i = 0; i < n; i++, p += 8, t += s) out[t] = (float) b.getDouble(p);
            else if (size == 1 && unsigned) for (int i = 0; i < n; i++, p++, t += s) out[t] = b.get(p) & 0xff;
            else if (size == 1) for (int i = 0; i < n; i++, p++, t += s) out[t] = b.get(p);
            else if (size == 2 && unsigned) for (int i = 0; i < n; i++, p += 2, t += s) out[t] = b.getShort(p) & 0xffff;
            else if (size == 2) for (int i = 0; i < n; i++, p += 2, t += s) out[t] = b.getShort(p);
            else if (size == 4 && unsigned)
                for (int i = 0; i < n; i++, p += 4, t += s) out[t] = b.getInt(p) & 0xffffffffL;
            else if (size == 4) for (int i = 0; i < n; i++, p += 4, t += s) out[t] = b.getInt(p);
            else
                for (int i = 0; i < n; i++, p += 8, t += s) {
                    long v = b.getLong(p);
                    out[t] = unsigned && v < 0 ? Long.MAX_VALUE : v;
                }
        }
    }

    @Override
    public void close() {
        if (hdf != null) hdf.close();
    }
}
