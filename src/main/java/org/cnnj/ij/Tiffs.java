package org.cnnj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** TIFF reading and writing that is safe headless and never leaves half a file behind. */
public final class Tiffs {
    private Tiffs() {}

    public static ImagePlus open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("image " + file + " does not exist; check the path");
        ImagePlus imp = IJ.openImage(file.toString());
        if (imp == null) throw new IOException(file + " could not be opened as an image; use TIFF (or another format ImageJ reads)");
        return imp;
    }

    /** Writes through a temporary sibling and a rename. */
    public static void save(ImagePlus imp, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        org.cnnj.io.AtomicFiles.createFolder(dir);
        if (!Files.isWritable(dir)) throw new IOException("cannot write to " + dir + "; choose a writable output folder");
        Path tmp = org.cnnj.io.AtomicFiles.tempSibling(file);
        try {
            FileSaver saver = new FileSaver(imp);
            boolean ok = imp.getStackSize() > 1 ? saver.saveAsTiffStack(tmp.toString()) : saver.saveAsTiff(tmp.toString());
            if (!ok) throw new IOException("could not write " + file + "; is the disk full?");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
