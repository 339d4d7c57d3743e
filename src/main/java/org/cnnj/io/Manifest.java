package org.cnnj.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A data folder's {@code manifest.csv}, as data sets ship one: a header line naming the columns, then one row per
 * image. Read here for what training needs of it, the source of each image.
 */
public final class Manifest {
    private Manifest() {}

    /**
     * Image name → source, from the {@code name} and {@code source} columns of {@code folder/manifest.csv}, or of the
     * parent folder's where the folder has none (data sets ship one manifest at their root beside {@code train/} and
     * {@code val/}); empty when neither exists or it has no such columns. Fields are split at commas; a quoted field
     * with a comma in it is kept whole.
     */
    public static Map<String, String> sources(Path folder) throws IOException {
        Path file = folder.resolve("manifest.csv");
        Path parent = folder.toAbsolutePath().normalize().getParent();
        if (!Files.isRegularFile(file) && parent != null) file = parent.resolve("manifest.csv");
        if (!Files.isRegularFile(file)) return Map.of();
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) return Map.of();
        List<String> header = Arrays.asList(fields(lines.get(0)));
        int name = header.indexOf("name"), source = header.indexOf("source");
        if (name < 0 || source < 0) return Map.of();
        Map<String, String> out = new HashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = fields(lines.get(i));
            if (f.length > Math.max(name, source) && !f[source].isBlank()) out.put(f[name], f[source]);
        }
        return out;
    }

    /** A folder's name as a source: with its parent's ("nuclei-real/train"), which usually tells the data set. */
    public static String folderSource(Path folder) {
        Path abs = folder.toAbsolutePath().normalize(), parent = abs.getParent();
        return (parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "/") + abs.getFileName();
    }

    /** One CSV line's fields (RFC 4180 quoting: "a, b" is one field, "" inside quotes is a quote). */
    static String[] fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                b.append('"');
                i++;
            } else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) {
                out.add(b.toString());
                b.setLength(0);
            } else b.append(c);
        }
        out.add(b.toString());
        return out.toArray(String[]::new);
    }
}
