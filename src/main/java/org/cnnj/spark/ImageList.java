package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnj.io.ImageFiles;

/**
 * The images of a Spark run, as absolute paths every executor can open (a shared file system): a folder (its images,
 * as {@code ./cnnj segment} takes them), a list file (.txt or .lst: one path per line, relative to the list's folder;
 * blank lines and # comments skipped), a glob ({@code /data/plate*}{@code /*.tif}, {@code **} for any depth) or one
 * image. Each image writes into {@code output/<its name without extension>}, so two images of one name are refused.
 */
final class ImageList {
    private ImageList() {}

    static List<Path> of(String input) throws IOException {
        List<Path> images;
        if (input.matches(".*[*?\\[{].*")) images = glob(input);
        else {
            Path p = Path.of(input).toAbsolutePath().normalize();
            String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase();
            images = Files.isRegularFile(p) && (n.endsWith(".txt") || n.endsWith(".lst"))
                    ? listFile(p)
                    : ImageFiles.list(p);
        }
        checkNames(images);
        return images.stream().map(i -> i.toAbsolutePath().normalize()).toList();
    }

    private static List<Path> listFile(Path list) throws IOException {
        List<Path> images = new ArrayList<>();
        int line = 0;
        for (String s : Files.readAllLines(list)) {
            line++;
            s = s.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            Path p = list.getParent().resolve(s).normalize();
            if (!Files.isRegularFile(p))
                throw new IOException(
                        list + " line " + line + ": " + p + " does not exist; correct or remove the line");
            images.add(p);
        }
        if (images.isEmpty()) throw new IOException(list + " lists no images; give one image path per line");
        return images;
    }

    /** The files a glob matches, in name order; the part before the first wildcard is the folder searched. */
    private static List<Path> glob(String pattern) throws IOException {
        String abs = Path.of(pattern.replaceAll("[*?\\[{].*", "x")).isAbsolute()
                ? pattern
                : Path.of("").toAbsolutePath() + "/" + pattern;
        int wild = abs.replaceAll("[*?\\[{]", "\0").indexOf('\0');
        Path base = Path.of(abs.substring(0, abs.lastIndexOf('/', wild) + 1));
        if (!Files.isDirectory(base)) throw new IOException("no folder " + base + " for the pattern " + pattern);
        // "a/**/b" also matches a/b, as in shells (Java's glob needs one folder at least between).
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + abs.replace("/**/", "{/,/**/}"));
        try (Stream<Path> s = Files.walk(base)) {
            List<Path> images = s.filter(Files::isRegularFile)
                    .filter(p -> m.matches(p.toAbsolutePath()))
                    .filter(ImageFiles::isImage) // as a folder's images: label images left out
                    .sorted()
                    .toList();
            if (images.isEmpty())
                throw new IOException(
                        "no files match " + pattern + "; check the pattern (quote it so the shell does not expand it)");
            return images;
        }
    }

    private static void checkNames(List<Path> images) throws IOException {
        Map<String, Path> seen = new HashMap<>();
        for (Path p : images) {
            Path before = seen.putIfAbsent(ImageFiles.baseName(p), p);
            if (before != null)
                throw new IOException(before + " and " + p + " would both write to the output folder "
                        + ImageFiles.baseName(p) + "; rename one, or run the two folders separately");
        }
    }
}
