package org.cnnj.ij;

import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.io.RoiEncoder;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.ImageFiles;

/** ROI files as the ROI Manager saves and opens them: a zip of NAME.roi entries, or one .roi file, and where to find them. */
public final class RoiZips {
    private RoiZips() {}

    /** The ROI file drawn on {@code image}: NAME.zip, NAME-rois.zip, NAME_rois.zip or NAME.roi in {@code folder}; null when there is none. */
    public static Path forImage(Path image, Path folder) {
        String base = ImageFiles.baseName(image);
        for (String candidate : new String[] {base + ".zip", base + "-rois.zip", base + "_rois.zip", base + ".roi"}) {
            Path p = folder.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** ROIs stored in an ImageJ .zip (as the ROI Manager saves them) or a single .roi file. */
    public static List<Roi> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("ROI file " + file + " does not exist");
        List<Roi> rois = new ArrayList<>();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".roi")) {
            Roi roi = new RoiDecoder(file.toString()).getRoi();
            if (roi == null) throw new IOException(file + " is not an ImageJ ROI file");
            rois.add(roi);
            return rois;
        }
        byte[] magic = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(magic, 0, 2) < 2 || magic[0] != 'P' || magic[1] != 'K') {
                throw new IOException(file + " is not a ROI zip; save ROIs from the ROI Manager (More › Save...)");
            }
        }
        try (InputStream in = Files.newInputStream(file);
                ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (!e.getName().endsWith(".roi")) continue;
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                zip.transferTo(bytes);
                String name =
                        e.getName().substring(e.getName().lastIndexOf('/') + 1).replaceFirst("\\.roi$", "");
                Roi roi = new RoiDecoder(bytes.toByteArray(), name).getRoi();
                if (roi == null) throw new IOException(file + ": entry " + e.getName() + " is not an ImageJ ROI");
                if (roi.getName() == null) roi.setName(name);
                rois.add(roi);
            }
        } catch (ZipException e) {
            throw new IOException(
                    file + " is not a ROI zip (" + e.getMessage()
                            + "); save ROIs from the ROI Manager (More › Save...)",
                    e);
        } catch (EOFException e) {
            throw new IOException(
                    file + " is truncated (it ends inside ROI " + (rois.size() + 1)
                            + "); save the ROIs again from the ROI Manager"
                            + " (More › Save...) or copy the file again",
                    e);
        }
        return rois;
    }

    /**
     * Writes ROIs as a zip that the ROI Manager opens (entries NAME.roi), stored rather than deflated: an ROI is a
     * few hundred bytes that deflate halves at best, while each deflated entry resets zlib's 64 KB of tables — most of
     * the zip's time on a folder of small images with hundreds of nuclei each.
     */
    public static void write(List<Roi> rois, Path file) throws IOException {
        AtomicFiles.write(file, os -> {
            ZipOutputStream zip = new ZipOutputStream(os);
            Set<String> used = new HashSet<>();
            for (Roi roi : rois) {
                String name = roi.getName() + (roi.getPosition() > 0 ? "-" + roi.getPosition() : "");
                String base = name;
                for (int k = 2; !used.add(name); k++)
                    name = base + "-" + k; // the ROI keeps its own name; entries must differ
                byte[] bytes = RoiEncoder.saveAsByteArray(roi);
                if (bytes == null) throw new IOException("could not encode ROI " + name + " for " + file);
                ZipEntry entry = new ZipEntry(name + ".roi");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                entry.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(bytes);
                zip.closeEntry();
            }
            zip.finish();
        });
    }
}
