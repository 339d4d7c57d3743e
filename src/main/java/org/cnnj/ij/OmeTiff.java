package org.cnnj.ij;

import ij.ImagePlus;
import ij.io.FileInfo;
import ij.io.TiffEncoder;
import ij.measure.Calibration;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cnnj.io.AtomicFiles;

/**
 * An image as a single-file OME-TIFF (OME schema 2016-06): ImageJ's TIFF planes with the OME-XML description that
 * QuPath, napari (tifffile), OMERO, Bio-Formats and Python read — pixel size with its unit, channel names, the sizes
 * of C, Z and T in ImageJ's plane order (XYCZT) — so a result opens in another tool at its true scale without
 * conversion. ImageJ's own calibration travels in labels.tif beside it.
 */
public final class OmeTiff {
    private OmeTiff() {}

    /** Writes {@code imp} with {@code channelNames} (one per channel; null: "channel 1"…) through a temporary file. */
    public static void save(ImagePlus imp, List<String> channelNames, Path file) throws IOException {
        FileInfo fi = imp.getFileInfo();
        if (fi.fileType != FileInfo.GRAY8
                && fi.fileType != FileInfo.GRAY16_UNSIGNED
                && fi.fileType != FileInfo.GRAY32_FLOAT)
            throw new IllegalArgumentException("OME-TIFF: " + imp.getTitle() + " is not an 8-, 16- or 32-bit image");
        if (imp.getStackSize() > 1) {
            fi.nImages = imp.getStackSize();
            fi.pixels = imp.getStack().getImageArray();
        }
        fi.description = xml(imp, channelNames, file.getFileName().toString());
        fi.info = null;
        fi.sliceLabels = null;
        fi.metaDataTypes = null;
        fi.metaData = null;
        fi.roi = null;
        fi.overlay = null;
        fi.displayRanges = null;
        fi.channelLuts = null;
        fi.plot = null;
        AtomicFiles.write(file, out -> {
            BufferedOutputStream buffered = new BufferedOutputStream(out);
            new TiffEncoder(fi).write(buffered);
            buffered.flush();
        });
    }

    /** The OME-XML of {@code imp}: one Image, its Pixels with sizes, type, physical size and channels, one TiffData. */
    static String xml(ImagePlus imp, List<String> channelNames, String name) {
        int c = imp.getNChannels(), z = imp.getNSlices(), t = imp.getNFrames();
        if (c * z * t != imp.getStackSize()) { // a plain stack: its planes as Z
            c = 1;
            z = imp.getStackSize();
            t = 1;
        }
        String type = switch (imp.getBitDepth()) {
            case 8 -> "uint8";
            case 16 -> "uint16";
            default -> "float";
        };
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .append("<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\"")
                .append(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
                .append(" xsi:schemaLocation=\"http://www.openmicroscopy.org/Schemas/OME/2016-06")
                .append(" http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd\" Creator=\"CNN-J\">")
                .append("<Image ID=\"Image:0\" Name=\"")
                .append(escape(name))
                .append("\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYCZT\" Type=\"")
                .append(type)
                .append("\" SizeX=\"")
                .append(imp.getWidth())
                .append("\" SizeY=\"")
                .append(imp.getHeight())
                .append("\" SizeC=\"")
                .append(c)
                .append("\" SizeZ=\"")
                .append(z)
                .append("\" SizeT=\"")
                .append(t)
                .append('"')
                .append(physical(imp.getCalibration()))
                .append(" BigEndian=\"true\" Interleaved=\"false\" SignificantBits=\"")
                .append(imp.getBitDepth() == 24 ? 8 : imp.getBitDepth())
                .append("\">");
        for (int ch = 0; ch < c; ch++) {
            String n = channelNames != null && ch < channelNames.size() ? channelNames.get(ch) : "channel " + (ch + 1);
            sb.append("<Channel ID=\"Channel:0:")
                    .append(ch)
                    .append("\" Name=\"")
                    .append(escape(n))
                    .append("\" SamplesPerPixel=\"1\"/>");
        }
        sb.append("<TiffData IFD=\"0\" PlaneCount=\"").append(c * z * t).append("\"/></Pixels></Image></OME>");
        return sb.toString();
    }

    /** PhysicalSizeX/Y (and Z) with their unit, as OME spells it; nothing for an uncalibrated image. */
    private static String physical(Calibration cal) {
        String unit = switch (LabelResults.unit(cal)) {
            case "um" -> "&#181;m"; // µ as a character reference: the TIFF description is written as ASCII
            case "nm" -> "nm";
            case "mm" -> "mm";
            case "cm" -> "cm";
            case "m" -> "m";
            case "inch" -> "in";
            default -> null;
        };
        if (unit == null) return "";
        String s = String.format(
                Locale.ROOT,
                " PhysicalSizeX=\"%s\" PhysicalSizeXUnit=\"%s\" PhysicalSizeY=\"%s\" PhysicalSizeYUnit=\"%s\"",
                cal.pixelWidth,
                unit,
                cal.pixelHeight,
                unit);
        if (cal.pixelDepth > 0 && cal.pixelDepth != 1)
            s += String.format(Locale.ROOT, " PhysicalSizeZ=\"%s\" PhysicalSizeZUnit=\"%s\"", cal.pixelDepth, unit);
        return s;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
