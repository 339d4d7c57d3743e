package org.cnnj.ij;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * TIFFs ImageJ 1 cannot open, read with TwelveMonkeys' TIFF reader: tiled ones (QuPath's, bfconvert's and tifffile's
 * OME-TIFFs, slide scanners' such as Aperio SVS), BigTIFF, JPEG-compressed (libtiff's shared tables or a whole JFIF
 * stream per tile), LZW tiles, 64-bit floating point (read as 32-bit). Every full-resolution page is a plane — a
 * pyramid's reduced-resolution pages, SubIFDs, an SVS's thumbnail, label and macro images are left out —, an
 * OME-TIFF's planes are put in ImageJ's order (channel, slice, frame), the pixel size comes from the OME-XML or an
 * SVS's MPP, and an image's interleaved samples are its channels (8-bit RGB stays one RGB plane, as ImageJ opens it).
 * Pages are decoded a band of rows at a time into ImageJ's arrays, and an image the heap cannot hold is refused first.
 */
final class ImageIoTiffs {
    private static final int NEW_SUBFILE_TYPE = 254, IMAGE_DESCRIPTION = 270, ROWS_PER_STRIP = 278;
    private static final Pattern SIZE = Pattern.compile("Size([CZT])=\"(\\d+)\""),
            ORDER = Pattern.compile("DimensionOrder=\"(XY[CZT]{3})\"");

    private ImageIoTiffs() {}

    /** Pixels decoded at a time: a band of rows this large, not the whole page, is held twice while it is copied. */
    private static final long BAND_PIXELS = 1L << 24;

    static ImagePlus open(Path file) throws IOException {
        return open(file, BAND_PIXELS);
    }

    /** {@link #open(Path)} decoding {@code bandPixels} pixels at a time (tests make bands of a row or two). */
    static ImagePlus open(Path file, long bandPixels) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = new TIFFImageReaderSpi().createReaderInstance();
            try {
                reader.setInput(in);
                return read(reader, file, bandPixels);
            } finally {
                reader.dispose();
            }
        }
    }

    private static ImagePlus read(ImageReader reader, Path file, long bandPixels) throws IOException {
        int pages = reader.getNumImages(true), w = reader.getWidth(0), h = reader.getHeight(0);
        if ((long) w * h > Integer.MAX_VALUE) {
            throw new IOException(
                    file + " is " + w + " × " + h + " pixels, more than one ImageJ plane holds; convert it"
                            + " to OME-Zarr (bioformats2raw) and segment it in blocks (./cnnj spark segment-blocks)");
        }
        String description = field(reader.getImageMetadata(0), IMAGE_DESCRIPTION);
        List<Page> full = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < pages; i++) {
            if (reader.getWidth(i) != w || reader.getHeight(i) != h) continue;
            IIOMetadata metadata = reader.getImageMetadata(i); // built once per page: its tree is not cheap
            if (reduced(metadata)) continue;
            full.add(new Page(i, field(metadata, ROWS_PER_STRIP)));
            bytes += (long) w * h * bytesPerPixel(reader, i);
        }
        checkMemory(file, w, h, full, bytes, reader);
        ImageStack stack = new ImageStack(w, h);
        int channels = 1;
        for (Page page : full) {
            List<ImageProcessor> planes = planes(reader, page, bandPixels);
            channels = planes.size();
            for (ImageProcessor p : planes) stack.addSlice(p);
        }
        ImagePlus imp = new ImagePlus(file.getFileName().toString(), stack);
        int[] czt = description != null ? omeOrder(description, stack, channels) : null;
        if (czt != null) imp.setStack(stack, czt[0], czt[1], czt[2]);
        else if (channels > 1) imp.setStack(stack, channels, stack.getSize() / channels, 1);
        if (description != null) {
            Tiffs.omeCalibration(imp, description);
            aperioCalibration(imp, description);
        }
        return imp;
    }

    /** A full-resolution page: its index, and its RowsPerStrip tag as written (null when absent). */
    private record Page(int index, String rowsPerStrip) {}

    /** The bytes per pixel a page takes in ImageJ: 4 for RGB (one int), else 1, 2 or 4 (as float) per sample. */
    private static int bytesPerPixel(ImageReader reader, int page) throws IOException {
        SampleModel model = reader.getRawImageType(page).getSampleModel();
        int type = model.getDataType(), bands = model.getNumBands();
        if (type == DataBuffer.TYPE_BYTE && (bands == 3 || bands == 4)) return 4;
        return bands * (type == DataBuffer.TYPE_BYTE ? 1 : type == DataBuffer.TYPE_USHORT ? 2 : 4);
    }

    /**
     * Refuses an image the heap cannot hold before any of it is read (a slide of 40,000² RGB pixels needs 6.4 GB; a
     * damaged height can ask for as much): Fiji would otherwise run out of memory in the middle of reading it. Beside
     * the image, a band being decoded and copied takes up to twice its own size.
     */
    private static void checkMemory(Path file, int w, int h, List<Page> pages, long bytes, ImageReader reader)
            throws IOException {
        if (pages.isEmpty()) return;
        long band = Math.min((long) w * h, BAND_PIXELS)
                * bytesPerPixel(reader, pages.get(0).index())
                * 2;
        requireFree(
                file,
                w + " × " + h + " pixels" + (pages.size() > 1 ? " × " + pages.size() + " planes" : ""),
                bytes + band);
    }

    /**
     * Refuses to read an image of {@code size} (words for the message) that needs {@code needed} bytes of heap where less
     * is free, with the fix; reading would fail half way with an OutOfMemoryError that could take Fiji down.
     */
    static void requireFree(Path file, String size, long needed) throws TooLarge {
        long free = freeMemory();
        if (needed > free) {
            System.gc(); // what the heap holds may be garbage not yet collected: ask once before refusing
            free = freeMemory();
        }
        if (needed > free) {
            throw new TooLarge(file + " is " + size + ", " + megabytes(needed)
                    + " to read, and " + megabytes(free) + " are free; give Fiji more memory (Edit › Options › Memory"
                    + " & Threads; -Xmx for ./cnnj), or convert it to OME-Zarr (bioformats2raw) and segment it in"
                    + " blocks (./cnnj spark segment-blocks)");
        }
    }

    private static long freeMemory() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static String megabytes(long bytes) {
        return bytes >= 1e9 ? String.format("%.1f GB", bytes / 1e9) : (bytes >> 20) + " MB";
    }

    /** An image too large for the heap: its own message, which reading it with another reader would not change. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * One page's planes: its samples as channels, or one RGB plane for 8-bit RGB (colour as shown: YCbCr JPEG tiles
     * become RGB), decoded a band of rows at a time straight into ImageJ's pixel arrays.
     */
    private static List<ImageProcessor> planes(ImageReader reader, Page at, long bandPixels) throws IOException {
        int page = at.index(), w = reader.getWidth(page), h = reader.getHeight(page);
        SampleModel model = reader.getRawImageType(page).getSampleModel();
        int type = model.getDataType(), bands = model.getNumBands();
        // Whole tiles or strips per band, so that none is decoded twice (a page in one strip is read in one band).
        String rowsPerStrip = at.rowsPerStrip();
        long unit = reader.isImageTiled(page)
                ? reader.getTileHeight(page)
                : rowsPerStrip != null && rowsPerStrip.matches("\\d+") ? Long.parseLong(rowsPerStrip) : h;
        unit = Math.max(1, Math.min(h, unit));
        long fit = bandPixels / w;
        int rows = fit >= h ? h : (int) Math.max(unit, fit / unit * unit);
        boolean rgb = type == DataBuffer.TYPE_BYTE && (bands == 3 || bands == 4);
        List<ImageProcessor> out = new ArrayList<>();
        for (int b = 0; b < (rgb ? 1 : bands); b++) out.add(rgb ? new ColorProcessor(w, h) : plane(type, w, h));
        ImageReadParam param = reader.getDefaultReadParam();
        float[] row = new float[w];
        for (int y0 = 0; y0 < h; y0 += rows) {
            int n = Math.min(rows, h - y0);
            param.setSourceRegion(new Rectangle(0, y0, w, n));
            if (rgb) {
                reader.read(page, param).getRGB(0, 0, w, n, (int[]) out.get(0).getPixels(), y0 * w, w);
                continue;
            }
            Raster r = reader.readRaster(page, param); // the stored values (read() would scale floating point to 0-1)
            for (int b = 0; b < bands; b++) {
                ImageProcessor p = out.get(b);
                for (int y = 0; y < n; y++) {
                    r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, b, row);
                    for (int x = 0; x < w; x++) p.setf((y0 + y) * w + x, row[x]);
                }
            }
        }
        return out;
    }

    /** An ImageJ plane for one band: 8-bit, 16-bit, else 32-bit floating point (signed, 32- and 64-bit values). */
    private static ImageProcessor plane(int type, int w, int h) {
        return switch (type) {
            case DataBuffer.TYPE_BYTE -> new ByteProcessor(w, h);
            case DataBuffer.TYPE_USHORT -> new ShortProcessor(w, h);
            default -> new FloatProcessor(w, h);
        };
    }

    private static final Pattern APERIO_MPP = Pattern.compile("\\|\\s*MPP\\s*=\\s*([0-9.eE+-]+)");

    /**
     * An Aperio SVS's pixel size: its description ("Aperio Image Library ... |MPP = 0.4990|...") gives microns per
     * pixel, where Bio-Formats and OpenSlide read it; there are no resolution tags.
     */
    static void aperioCalibration(ImagePlus imp, String description) {
        Matcher m = APERIO_MPP.matcher(description);
        if (!description.startsWith("Aperio") || !m.find() || Tiffs.sized(imp.getCalibration())) return;
        double mpp = Tiffs.positive(m.group(1));
        if (Double.isNaN(mpp)) return;
        imp.getCalibration().pixelWidth = mpp;
        imp.getCalibration().pixelHeight = mpp;
        imp.getCalibration().setUnit("µm");
    }

    /**
     * An OME-TIFF's channels, slices and frames, with the stack reordered from its DimensionOrder into ImageJ's (channel
     * fastest, then slice, then frame); null when its sizes do not account for the planes read.
     */
    static int[] omeOrder(String ome, ImageStack stack, int interleaved) {
        String tag = Tiffs.omePixels(ome);
        if (tag == null) return null;
        int[] size = {1, 1, 1}; // C, Z, T
        Matcher m = SIZE.matcher(tag);
        while (m.find()) size["CZT".indexOf(m.group(1))] = Integer.parseInt(m.group(2));
        Matcher order = ORDER.matcher(tag);
        String dims = order.find() ? order.group(1).substring(2) : "CZT";
        if (interleaved > 1 && size[0] == interleaved && stack.getSize() == size[0] * size[1] * size[2])
            return size; // samples interleaved in each page: pages go through Z and T in order
        if (interleaved > 1 || stack.getSize() != size[0] * size[1] * size[2]) return null;
        ImageProcessor[] sorted = new ImageProcessor[stack.getSize()];
        for (int p = 0; p < sorted.length; p++) {
            int[] at = new int[3];
            int rest = p;
            for (char d : dims.toCharArray()) {
                int axis = "CZT".indexOf(d);
                at[axis] = rest % size[axis];
                rest /= size[axis];
            }
            sorted[at[0] + size[0] * (at[1] + size[1] * at[2])] = stack.getProcessor(p + 1);
        }
        while (stack.getSize() > 0) stack.deleteLastSlice();
        for (ImageProcessor p : sorted) stack.addSlice(p);
        return size;
    }

    /** Whether a page is a reduced-resolution copy (NewSubfileType bit 0: a pyramid level, a thumbnail). */
    private static boolean reduced(IIOMetadata metadata) {
        String value = field(metadata, NEW_SUBFILE_TYPE);
        return value != null && value.matches("\\d+") && (Long.parseLong(value) & 1) == 1;
    }

    /** A tag's first value in the page's own fields (not its SubIFDs'), as text; null when absent. */
    private static String field(IIOMetadata metadata, int tag) {
        Node root = metadata.getAsTree(metadata.getNativeMetadataFormatName());
        for (Node ifd = root.getFirstChild(); ifd != null; ifd = ifd.getNextSibling())
            for (Node f = ifd.getFirstChild(); f != null; f = f.getNextSibling())
                if (f instanceof Element e && String.valueOf(tag).equals(e.getAttribute("number")))
                    return firstValue(e);
        return null;
    }

    private static String firstValue(Node node) {
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element e && e.hasAttribute("value")) return e.getAttribute("value");
            String inner = firstValue(c);
            if (inner != null) return inner;
        }
        return null;
    }
}
