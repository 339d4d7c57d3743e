package org.cnnj.ij;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * TIFFs ImageJ 1 cannot open, read with TwelveMonkeys' TIFF reader: tiled ones (QuPath's, bfconvert's and tifffile's
 * OME-TIFFs, slide scanners'), BigTIFF, JPEG-compressed, 64-bit floating point (read as 32-bit). Every full-resolution
 * page is a plane — a pyramid's reduced-resolution pages and SubIFDs are left out —, an OME-TIFF's planes are put in
 * ImageJ's order (channel, slice, frame) with its pixel size, and an image's interleaved samples are its channels
 * (8-bit RGB stays one RGB plane, as ImageJ opens it).
 */
final class ImageIoTiffs {
    private static final int NEW_SUBFILE_TYPE = 254, IMAGE_DESCRIPTION = 270;
    private static final Pattern SIZE = Pattern.compile("Size([CZT])=\"(\\d+)\""),
            ORDER = Pattern.compile("DimensionOrder=\"(XY[CZT]{3})\"");

    private ImageIoTiffs() {}

    static ImagePlus open(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = new TIFFImageReaderSpi().createReaderInstance();
            try {
                reader.setInput(in);
                return read(reader, file);
            } finally {
                reader.dispose();
            }
        }
    }

    private static ImagePlus read(ImageReader reader, Path file) throws IOException {
        int pages = reader.getNumImages(true), w = reader.getWidth(0), h = reader.getHeight(0);
        if ((long) w * h > Integer.MAX_VALUE) {
            throw new IOException(
                    file + " is " + w + " × " + h + " pixels, more than one ImageJ plane holds; convert it"
                            + " to OME-Zarr (bioformats2raw) and segment it in blocks (./cnnj spark segment-blocks)");
        }
        String description = field(reader.getImageMetadata(0), IMAGE_DESCRIPTION);
        ImageStack stack = new ImageStack(w, h);
        int channels = 1;
        for (int i = 0; i < pages; i++) {
            if (reader.getWidth(i) != w || reader.getHeight(i) != h || reduced(reader.getImageMetadata(i))) continue;
            List<ImageProcessor> planes = planes(reader, i);
            channels = planes.size();
            for (ImageProcessor p : planes) stack.addSlice(p);
        }
        ImagePlus imp = new ImagePlus(file.getFileName().toString(), stack);
        int[] czt = description != null ? omeOrder(description, stack, channels) : null;
        if (czt != null) imp.setStack(stack, czt[0], czt[1], czt[2]);
        else if (channels > 1) imp.setStack(stack, channels, stack.getSize() / channels, 1);
        if (description != null) Tiffs.omeCalibration(imp, description);
        return imp;
    }

    /** One page's planes: its samples as channels, or one RGB plane for 8-bit RGB. */
    private static List<ImageProcessor> planes(ImageReader reader, int page) throws IOException {
        Raster r = reader.readRaster(page, null); // the stored values (read() would scale floating point to 0-1)
        int w = r.getWidth(),
                h = r.getHeight(),
                bands = r.getNumBands(),
                type = r.getDataBuffer().getDataType();
        if (type == DataBuffer.TYPE_BYTE && (bands == 3 || bands == 4))
            return List.of(new ColorProcessor(reader.read(page))); // colour as shown: YCbCr JPEG tiles become RGB
        List<ImageProcessor> out = new ArrayList<>();
        for (int b = 0; b < bands; b++) {
            ImageProcessor p = switch (type) {
                case DataBuffer.TYPE_BYTE -> new ByteProcessor(w, h);
                case DataBuffer.TYPE_USHORT -> new ShortProcessor(w, h);
                default -> new FloatProcessor(w, h); // signed, 32-bit and 64-bit values as 32-bit floating point
            };
            float[] row = new float[w]; // row by row: a whole band as floats would be 4 bytes per pixel more
            for (int y = 0; y < h; y++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, b, row);
                for (int x = 0; x < w; x++) p.setf(y * w + x, row[x]);
            }
            out.add(p);
        }
        return out;
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
