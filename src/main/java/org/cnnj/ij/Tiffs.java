package org.cnnj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.TiffDecoder;
import ij.measure.Calibration;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Hdf5Images;
import org.cnnj.io.TiffTags;

/** TIFF reading and writing that is safe headless and never leaves half a file behind. */
public final class Tiffs {
    private Tiffs() {}

    /**
     * Opens an image without any dialog (ImageJ's error dialogs would block a batch run): TIFFs are first
     * checked against truncation, since ImageJ reads a cut file with zeros for the missing part.
     */
    public static ImagePlus open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("image " + file + " does not exist; check the path");
        String format = format(file);
        if (format.contains("TIFF")) TiffTags.checkCounts(file); // a damaged count would exhaust the heap in a reader
        if (format.equals("BigTIFF")) return otherTiff(file, "a BigTIFF");
        if (format.equals("HDF5")) return Hdf5Opener.open(file);
        boolean tiff = format.equals("TIFF");
        FileInfo[] infos;
        try {
            infos = tiff ? checkComplete(file) : null;
        } catch (NotForImageJ e) {
            return otherTiff(file, e.getMessage());
        }
        if (!tiff && format.isEmpty() && Files.size(file) == 0) throw new IOException(file + " is empty (0 bytes)");
        boolean redirected = IJ.redirectingErrorMessages();
        IJ.redirectErrorMessages(true); // to the log (stderr headless), never a modal dialog
        ImagePlus imp;
        try {
            // ImageJ tells the format by the file's first bytes: a PNG or JPEG saved under a .tif name (it happens) is
            // opened as what it is; only a real TIFF is checked for truncation above.
            imp = IJ.openImage(file.toString());
        } finally {
            IJ.redirectErrorMessages(redirected);
        }
        if (imp == null && tiff) return otherTiff(file, "ImageJ could not open it");
        if (imp == null)
            throw new IOException(file + " could not be opened as an image; use TIFF (or another format ImageJ reads)");
        if (infos != null && infos[0].description != null) {
            omeCalibration(imp, infos[0].description);
            omeDimensions(imp, infos[0].description);
        }
        return imp;
    }

    /**
     * An OME-TIFF's channels, slices and frames (ImageJ 1 reads its planes as slices: tifffile's, aicsimageio's and
     * bfconvert's two-channel images became two-slice stacks), the planes put in ImageJ's order from its DimensionOrder.
     */
    private static void omeDimensions(ImagePlus imp, String description) {
        if (imp.getStackSize() < 2 || imp.getBitDepth() == 24) return;
        int[] czt = ImageIoTiffs.omeOrder(description, imp.getStack(), 1);
        if (czt != null) imp.setStack(imp.getStack(), czt[0], czt[1], czt[2]);
    }

    private static final Pattern OME_SIZE = Pattern.compile("PhysicalSize([XYZ])=\"([^\"]+)\""),
            OME_UNIT = Pattern.compile("PhysicalSize[XYZ]Unit=\"([^\"]+)\"");

    /**
     * The first image's Pixels start tag of an OME-TIFF's description (its sizes, order and pixel size as attributes);
     * null when the description is not OME-XML or has none.
     */
    static String omePixels(String description) {
        int start = description.indexOf("<Pixels");
        if (!description.contains("<OME") || start < 0) return null;
        int end = description.indexOf('>', start);
        return description.substring(start, end < 0 ? description.length() : end);
    }

    /**
     * The voxel size of an OME-TIFF written by other tools (tifffile, aicsimageio, bioformats2raw's TIFFs, CNN-J's own
     * labels.ome.tif): ImageJ's TIFF reader leaves the OME-XML's PhysicalSizeX/Y/Z unread, so an image ImageJ found no
     * calibration for takes it from the first image's Pixels element (OME's default unit: µm).
     */
    static void omeCalibration(ImagePlus imp, String description) {
        Calibration cal = imp.getCalibration();
        String pixels = omePixels(description);
        if (pixels == null || sized(cal)) return;
        Matcher m = OME_SIZE.matcher(pixels);
        boolean any = false;
        while (m.find()) {
            double size = positive(m.group(2));
            if (Double.isNaN(size)) continue;
            switch (m.group(1)) {
                case "X" -> cal.pixelWidth = size;
                case "Y" -> cal.pixelHeight = size;
                default -> cal.pixelDepth = size;
            }
            any = true;
        }
        Matcher unit = OME_UNIT.matcher(pixels);
        if (any) cal.setUnit(unit.find() ? unit.group(1) : "µm");
    }

    /** Whether an image has a pixel size already (a reader found one; its unit may be " ", so the sizes are asked). */
    static boolean sized(Calibration cal) {
        return cal.pixelWidth != 1 || cal.pixelHeight != 1 || cal.pixelDepth != 1;
    }

    /** A size written in a file's metadata: the number if it is one and above 0, else NaN (no calibration from it). */
    static double positive(String text) {
        try {
            double v = Double.parseDouble(text);
            return v > 0 ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A TIFF ImageJ 1 does not read ({@code why}), through {@link ImageIoTiffs}; both readers' reasons when it fails. */
    private static ImagePlus otherTiff(Path file, String why) throws IOException {
        try {
            return ImageIoTiffs.open(file);
        } catch (ImageIoTiffs.TooLarge e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a readable TIFF (" + why + "; " + e.getMessage()
                    + "); re-save it from the program that made it (uncompressed, LZW or deflate)");
        }
    }

    /** A TIFF whose layout ImageJ 1's reader does not know (tiles, a compression, 64-bit floating point). */
    private static final class NotForImageJ extends IOException {
        NotForImageJ(String why) {
            super(why);
        }
    }

    /** The format a file's first bytes say it is (TIFF, BigTIFF, PNG, JPEG, GIF, BMP, HDF5), whatever its name; "" when none. */
    static String format(Path file) throws IOException {
        byte[] b = new byte[8];
        int n;
        try (var in = Files.newInputStream(file)) {
            n = in.readNBytes(b, 0, b.length);
        }
        if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42) || (b[0] == 'M' && b[1] == 'M' && b[3] == 42)))
            return "TIFF";
        if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 43) || (b[0] == 'M' && b[1] == 'M' && b[3] == 43)))
            return "BigTIFF";
        if (n >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "PNG";
        if (n >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) return "JPEG";
        if (n >= 3 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') return "GIF";
        if (n >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
        if (Hdf5Images.isHdf5(b, n)) return "HDF5";
        return "";
    }

    /**
     * Refuses a TIFF whose image data would end beyond the end of the file (a cut download or copy); returns what its
     * headers say (the first image's description holds an OME-TIFF's XML). {@link NotForImageJ} where ImageJ's reader
     * does not know the file's layout.
     */
    static FileInfo[] checkComplete(Path file) throws IOException {
        FileInfo[] infos;
        try {
            Path dir = file.toAbsolutePath().getParent();
            infos = new TiffDecoder(dir + File.separator, file.getFileName().toString()).getTiffInfo();
        } catch (IOException | RuntimeException e) {
            throw new NotForImageJ("ImageJ: " + e.getMessage().replace('\n', ' '));
        }
        if (infos == null || infos.length == 0) throw new IOException(file + " has no image in it; re-save it as TIFF");
        long length = Files.size(file), end = 0;
        for (FileInfo fi : infos) {
            if (fi.fileType == FileInfo.GRAY64_FLOAT) throw new NotForImageJ("64-bit floating point");
            if (fi.stripOffsets != null
                    && fi.stripLengths != null
                    && fi.stripOffsets.length == fi.stripLengths.length
                    && fi.stripOffsets.length > 0
                    && fi.nImages <= 1) {
                for (int i = 0; i < fi.stripOffsets.length; i++)
                    end = Math.max(end, (fi.stripOffsets[i] & 0xffffffffL) + (fi.stripLengths[i] & 0xffffffffL));
            } else if (fi.compression <= FileInfo.COMPRESSION_NONE) {
                long image = (long) fi.width * fi.height * fi.getBytesPerPixel();
                long images = Math.max(1, fi.nImages);
                end = Math.max(end, fi.getOffset() + images * image + (images - 1) * fi.gapBetweenImages);
            }
        }
        if (end > length) {
            throw new IOException(file + " is truncated: its image data needs " + end + " bytes but the file has "
                    + length + "; copy or download it again");
        }
        return infos;
    }

    /**
     * An image file's width and height from its header (TIFF, PNG, JPEG, HDF5), without reading its pixels; the whole file
     * is opened only where no reader knows the format.
     */
    public static int[] size(Path file) throws IOException {
        String format = format(file);
        if (format.contains("TIFF")) TiffTags.checkCounts(file);
        if (format.equals("HDF5")) {
            Hdf5Images.Shape s = Hdf5Images.shape(file);
            return new int[] {s.width(), s.height()};
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in != null) {
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (readers.hasNext()) {
                    ImageReader r = readers.next();
                    try {
                        r.setInput(in, true, true);
                        return new int[] {r.getWidth(0), r.getHeight(0)};
                    } catch (IOException | RuntimeException unreadable) {
                        // fall through to ImageJ's own reader, which says what is wrong with the file
                    } finally {
                        r.dispose();
                    }
                }
            }
        }
        ImagePlus imp = open(file);
        return new int[] {imp.getWidth(), imp.getHeight()};
    }

    /** Writes through a temporary sibling and a rename. */
    public static void save(ImagePlus imp, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        AtomicFiles.createFolder(dir);
        if (!Files.isWritable(dir))
            throw new IOException("cannot write to " + dir + "; choose a writable output folder");
        Path tmp = AtomicFiles.tempSibling(file);
        try {
            FileSaver saver = new FileSaver(imp);
            boolean ok =
                    imp.getStackSize() > 1 ? saver.saveAsTiffStack(tmp.toString()) : saver.saveAsTiff(tmp.toString());
            if (!ok) throw new IOException("could not write " + file + "; is the disk full?");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
