package org.cnnj.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnj.io.Hdf5Images;
import org.cnnj.io.Hdf5Volume;

/**
 * An HDF5 image as the blocks read it — BigDataViewer / BigStitcher's full-resolution level (the voxel size from the XML
 * beside it; the XML itself may be given), ilastik's exports, h5py arrays — chunk by chunk ({@link Hdf5Volume}), of any
 * size. One time point; reads in turn (the file's reader is shared by the executor's tasks).
 */
final class Hdf5Source implements BlockSource {
    /** BigDataViewer's HDF5 image loader and the file it names (relative to the XML's folder, or absolute). */
    private static final Pattern BDV_HDF5 = Pattern.compile(
            "<ImageLoader\\s+format=\"bdv\\.hdf5\"[^>]*>.*?<hdf5\\s+type=\"(relative|absolute)\"\\s*>([^<]+)</hdf5>",
            Pattern.DOTALL);

    private final Hdf5Volume volume;

    private Hdf5Source(Hdf5Volume volume) {
        this.volume = volume;
    }

    /**
     * The HDF5 file of BigDataViewer's XML {@code input} (what BDV and BigStitcher users open: {@code dataset.xml}, its
     * {@code <ImageLoader format="bdv.hdf5">}), or null when {@code input} is not such an XML.
     */
    static Path ofXml(Path input) throws IOException {
        if (!input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml") || !Files.isRegularFile(input))
            return null;
        // decoded leniently (Files.readString refuses bytes that are not UTF-8: an XML in another encoding)
        Matcher m = BDV_HDF5.matcher(new String(Files.readAllBytes(input), StandardCharsets.UTF_8));
        if (!m.find()) return null;
        Path h5 = Path.of(m.group(2).trim());
        return m.group(1).equals("relative") ? input.toAbsolutePath().resolveSibling(h5) : h5;
    }

    /** Whether {@code input} is an HDF5 file (its signature, whatever its name). */
    static boolean holds(Path input) throws IOException {
        if (!Files.isRegularFile(input)) return false;
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(input)) {
            n = in.readNBytes(head, 0, 8);
        }
        return Hdf5Images.isHdf5(head, n);
    }

    /** The file's image, or the one {@code dataset} names (a path in the file) when not null. */
    static Hdf5Source open(Path input, String dataset) throws IOException {
        Hdf5Volume v = Hdf5Volume.open(input, dataset);
        if (v.frames() > 1) {
            v.close();
            throw new IOException(v.describe() + " holds " + v.frames() + " time points; segment-blocks segments one"
                    + " image: save each time point in its own file (ilastik, Fiji's Export HDF5, h5py)");
        }
        return new Hdf5Source(v);
    }

    public long width() {
        return volume.width();
    }

    public long height() {
        return volume.height();
    }

    public int channels() {
        return volume.channels();
    }

    public long depth() {
        return volume.depth();
    }

    public double[] voxel() {
        return volume.voxel();
    }

    public float[] readPlane(int c, long y0, long x0, int h, int w) throws IOException {
        return readBox(c, Box.plane(y0, x0, h, w));
    }

    public synchronized float[] readBox(int c, Box box) throws IOException {
        if (depth() == 1 && (box.z() != 0 || box.depth() != 1))
            throw new IllegalArgumentException(describe() + " is a plane, not a volume");
        return volume.read(
                c, new long[] {box.z(), box.y(), box.x()}, new int[] {box.depth(), box.height(), box.width()});
    }

    public float[] sample(int c) throws IOException {
        return BlockSource.spread(this, c, volume.chunk());
    }

    public String describe() {
        return volume.describe();
    }

    @Override
    public void close() {
        volume.close();
    }
}
