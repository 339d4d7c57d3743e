package org.cnnj.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The images a command works on: one file, or the images of a folder — TIFF, PNG and JPEG (photographs and the images
 * annotation tools export), label images left out — and their names.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /** {@code input} itself when it is a file, else its .tif/.tiff/.png/.jpg/.jpeg files (not X-labels.*) in name order. */
    public static List<Path> list(Path input) throws IOException {
        if (Files.isRegularFile(input)) return List.of(input);
        if (!Files.isDirectory(input))
            throw new IOException("input " + input + " does not exist; give an image file or a folder of images");
        try (Stream<Path> s = Files.list(input)) {
            List<Path> images = s.filter(ImageFiles::isImage).sorted().toList();
            if (images.isEmpty()) throw new IOException("no images (.tif, .png, .jpg) in " + input);
            return images;
        }
    }

    /** An image a folder's batch takes: .tif/.tiff/.png/.jpg/.jpeg, and not a label image (X-labels.*). */
    public static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).matches(".*\\.(tiff?|png|jpe?g)$") && !n.contains("-labels.");
    }

    /** The file's name without its extension ("a.b.tif" → "a.b"). */
    public static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
