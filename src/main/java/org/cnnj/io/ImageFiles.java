package org.cnnj.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The images a command works on: one file, or the images of a folder — TIFF, PNG and JPEG (photographs and the images
 * annotation tools export), HDF5 (ilastik, h5py, BigDataViewer), label images and ilastik's results left out — and
 * their names.
 */
public final class ImageFiles {
    /**
     * How tools name a label image beside its image X: CNN-J's X-labels, Cellpose's X_masks (its training data) and
     * X_cp_masks (masks its GUI saves, corrected or not), QuPath's tile exporter X-labelled (its documented example).
     */
    public static final List<String> LABEL_SUFFIXES = List.of("-labels", "_masks", "_cp_masks", "-labelled");

    /** What Cellpose's GUI saves beside image X when one corrects or draws its masks: X_seg.npy. */
    private static final String CELLPOSE_SEG = "_seg.npy";

    /** What ilastik's Object Classification exports beside image X by default: its instance ids, X_Object Identities.h5. */
    private static final String ILASTIK_OBJECTS = "_Object Identities";

    /**
     * What ilastik names its exports beside image X by default ({nickname}_{result type}.h5): results, not images to
     * segment.
     */
    private static final List<String> ILASTIK_EXPORTS = List.of(
            ILASTIK_OBJECTS,
            "_Simple Segmentation",
            "_Probabilities",
            "_Uncertainty",
            "_Features",
            "_Labels",
            "_Object Predictions",
            "_Object Probabilities",
            "_Multicut Segmentation");

    private static final List<String> EXTENSIONS = List.of(".tif", ".tiff", ".png", ".jpg", ".jpeg", ".h5", ".hdf5");

    private ImageFiles() {}

    /** {@code input} itself when it is a file, else its images ({@link #isImage}) in name order. */
    public static List<Path> list(Path input) throws IOException {
        if (Files.isRegularFile(input)) return List.of(input);
        if (!Files.isDirectory(input))
            throw new IOException("input " + input + " does not exist; give an image file or a folder of images");
        try (Stream<Path> s = Files.list(input)) {
            List<Path> images = s.filter(ImageFiles::isImage).sorted().toList();
            if (images.isEmpty() && isZarr(input)) {
                throw new IOException(input + " is a Zarr image (OME-Zarr), not a folder of images; segment it in"
                        + " blocks: ./cnnj spark segment-blocks --model M --input " + input + " --output DIR"
                        + " (local[*] runs on this machine), or convert it to TIFF (bioformats2raw's raw2ometiff)");
            }
            if (images.isEmpty()) throw new IOException("no images (.tif, .png, .jpg, .h5) in " + input);
            return images;
        }
    }

    /**
     * An image a folder's batch takes: .tif/.tiff/.png/.jpg/.jpeg/.h5/.hdf5, and not a label image — X-labels.*, or
     * X_masks.*, X_cp_masks.*, X-labelled.* beside an image X (without X such a name is an image like any other) — nor
     * an ilastik export X_Probabilities.h5, X_Object Identities.h5, … beside X.
     */
    public static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).matches(".*\\.(tiff?|png|jpe?g|h5|hdf5)$")
                && !n.contains("-labels.")
                && imageOfLabels(p) == null;
    }

    /**
     * Where {@code image}'s label image is: X.ext in the labels folder (or X.tif, X.png there); else beside it as tools
     * name it — X-labels.ext, Cellpose's X_masks, X_cp_masks, QuPath's X-labelled ({@link #LABEL_SUFFIXES}; .tif or
     * .png too: a PNG tile's labels are often a TIFF; .h5), Cellpose's X_seg.npy, ilastik's X_Object Identities.h5;
     * else, for images/X.ext, masks/X.ext or labels/X.ext beside the images folder (StarDist's training data, its QuPath
     * export script), for JPEGImages/X.jpg Pascal VOC's SegmentationObject/X.png. The first of them
     * when none exists. Never a JPEG: lossy compression changes object ids.
     */
    public static Path labelImage(Path image, Path labels) {
        String name = image.getFileName().toString(), base = baseName(image);
        List<String> extensions = new ArrayList<>();
        for (String e : List.of(name.substring(base.length()), ".tif", ".tiff", ".png", ".h5"))
            if (!e.matches("(?i)\\.jpe?g") && !extensions.contains(e)) extensions.add(e);
        List<Path> candidates = new ArrayList<>();
        if (labels != null) for (String e : extensions) candidates.add(labels.resolve(base + e));
        else {
            for (String suffix : LABEL_SUFFIXES)
                for (String e : extensions) candidates.add(image.resolveSibling(base + suffix + e));
            candidates.add(image.resolveSibling(base + CELLPOSE_SEG));
            candidates.add(image.resolveSibling(base + ILASTIK_OBJECTS + ".h5"));
            Path folder = image.toAbsolutePath().getParent();
            if (folder != null
                    && folder.getFileName() != null
                    && folder.getFileName().toString().equals("images"))
                for (String sibling : List.of("masks", "labels"))
                    for (String e : extensions)
                        candidates.add(folder.resolveSibling(sibling).resolve(base + e));
            if (isVoc(folder))
                candidates.add(folder.resolveSibling("SegmentationObject").resolve(base + ".png"));
        }
        for (Path c : candidates) if (Files.isRegularFile(c)) return c;
        return candidates.get(0);
    }

    /**
     * Whether {@code folder} is a Pascal VOC dataset's JPEGImages (as the VOC devkit, labelImg users, CVAT's and
     * Roboflow's VOC exports lay them out): its boxes are in Annotations/X.xml and its instance masks in
     * SegmentationObject/X.png beside it.
     */
    public static boolean isVoc(Path folder) {
        return folder != null
                && folder.getFileName() != null
                && folder.getFileName().toString().equals("JPEGImages");
    }

    /** The folder of a VOC dataset's box files beside its JPEGImages folder {@code images}; null where there is none. */
    public static Path vocAnnotations(Path images) {
        Path dir = images.toAbsolutePath().normalize();
        Path annotations = isVoc(dir) ? dir.resolveSibling("Annotations") : null;
        return annotations != null && Files.isDirectory(annotations) ? annotations : null;
    }

    /** Whether {@code folder} holds a Zarr array or group (.zarray, .zgroup, Zarr v3's zarr.json) at its top. */
    static boolean isZarr(Path folder) {
        for (String marker : List.of(".zgroup", ".zarray", "zarr.json"))
            if (Files.isRegularFile(folder.resolve(marker))) return true;
        return false;
    }

    /**
     * The image X that {@code p} (X_masks.png, X-labelled.png, …; for HDF5 also ilastik's X_Probabilities.h5, …) is the
     * label image or result of, or null.
     */
    static Path imageOfLabels(Path p) {
        String base = baseName(p);
        boolean hdf5 = p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(h5|hdf5)$");
        List<String> suffixes = new ArrayList<>(LABEL_SUFFIXES);
        if (hdf5) suffixes.addAll(ILASTIK_EXPORTS);
        for (String suffix : suffixes) {
            if (!base.endsWith(suffix) || base.length() == suffix.length()) continue;
            String image = base.substring(0, base.length() - suffix.length());
            for (String e : EXTENSIONS) {
                Path candidate = p.resolveSibling(image + e);
                if (Files.isRegularFile(candidate)) return candidate;
                candidate = p.resolveSibling(image + e.toUpperCase(Locale.ROOT));
                if (Files.isRegularFile(candidate)) return candidate;
            }
        }
        return null;
    }

    /**
     * The file name at the end of a path as another tool wrote it into its annotations — folders dropped, Windows'
     * backslashes too ("C:\\data\\a.png", "images/a.png" → "a.png"), which a Linux or macOS path would keep.
     */
    public static String nameOf(String path) {
        String p = path.strip();
        int cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return p.substring(cut + 1);
    }

    /** The file's name without its extension ("a.b.tif" → "a.b"). */
    public static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
