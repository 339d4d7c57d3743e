package org.cnnj.seg;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.Normalization;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * bioimage.io model packages (model spec 0.5.x) as CNN-J models: a package.zip or its rdf.yaml is read, its ONNX
 * weights are used as they are, with a CNN-J sidecar made from the description — input channels
 * (the channel axis), output classes (the output's channel names), tile sizes (the space axes' size step), halo (the
 * output axes' halo) and normalization (scale_range → percentile; none) — so every command that takes a model takes a
 * package. A package that CNN-J wrote carries its own sidecar (attachment cnnj.json), which is then used exactly.
 * What CNN-J cannot honour (other weight formats, other preprocessing, 3-D axes) is refused by name.
 */
public final class BioimageIo {
    /**
     * A package read: its ONNX weights, the CNN-J sidecar its description stands for (held here, never written beside
     * the package: a package may sit on a read-only share, and writing next to its files could change another model),
     * the description, and its folder.
     */
    public record Package(Path onnx, SegmentationSpec spec, Map<String, Object> rdf, Path folder) {}

    private BioimageIo() {}

    /** A bioimage.io package file: a .zip, or a description named rdf.yaml / *.bioimageio.yaml. */
    public static boolean isPackage(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".zip") || n.equals("rdf.yaml") || n.endsWith(".bioimageio.yaml");
    }

    /** Opens a package (a zip is unpacked once into ~/.cnnj/bioimageio/, by content). */
    public static Package open(Path p) throws IOException {
        if (!Files.isRegularFile(p)) throw new IOException("model package " + p + " does not exist; check the path");
        Path rdfFile = p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip") ? unzip(p) : p;
        Map<String, Object> rdf = parse(rdfFile);
        Path folder = rdfFile.toAbsolutePath().getParent();
        Map<String, Object> weights = map(rdf.get("weights"), "weights", rdfFile);
        Map<String, Object> onnx =
                weights.get("onnx") == null ? null : map(weights.get("onnx"), "weights.onnx", rdfFile);
        if (onnx == null) {
            throw new IOException(rdfFile + ": the package has " + weights.keySet() + " weights but no ONNX weights;"
                    + " CNN-J runs ONNX models: add ONNX weights (e.g. bioimageio.core's weight converter) and retry");
        }
        Path model = inside(folder, text(onnx.get("source"), "weights.onnx.source", rdfFile), p);
        if (!Files.isRegularFile(model))
            throw new IOException(rdfFile + ": its ONNX weights " + model + " are missing");
        checkSha(onnx, model, rdfFile);
        Path own = folder.resolve("cnnj.json");
        SegmentationSpec spec = Files.isRegularFile(own) ? SegmentationSpec.read(own) : describe(rdf, rdfFile);
        return new Package(model, spec, rdf, folder);
    }

    /**
     * A file a package names, which must lie inside the package: an absolute path or a ../ path would run (or read) a
     * file elsewhere on the disk, such as another user's model, under this package's name.
     */
    static Path inside(Path folder, String source, Path pkg) throws IOException {
        Path root = folder.toAbsolutePath().normalize(),
                file = root.resolve(source).normalize();
        if (!file.startsWith(root) || Path.of(source).isAbsolute() || source.contains("://")) {
            throw new IOException(pkg + ": the description names \"" + source + "\", a file outside the package;"
                    + " a package may only name its own files (a relative path inside it): it was not opened");
        }
        return file;
    }

    /** The CNN-J sidecar a description stands for. */
    static SegmentationSpec describe(Map<String, Object> rdf, Path where) throws IOException {
        String version = String.valueOf(rdf.get("format_version"));
        if (!"model".equals(rdf.get("type")) || !version.startsWith("0.5.")) {
            throw new IOException(
                    where + " is a bioimage.io \"" + rdf.get("type") + "\" description of format " + version
                            + "; CNN-J reads model packages of format 0.5.x (update older ones with bioimageio.spec)");
        }
        Map<String, Object> input = first(rdf.get("inputs"), "inputs", where);
        Map<String, Object> output = first(rdf.get("outputs"), "outputs", where);
        List<Map<String, Object>> in = axes(input, where), out = axes(output, where);
        String inOrder = order(in), outOrder = order(out);
        if (!inOrder.equals("bcyx") || !outOrder.equals("bcyx")) {
            throw new IOException(where + ": axes " + inOrder + " → " + outOrder + "; CNN-J runs 2-D image models with"
                    + " axes batch, channel, y, x in that order");
        }
        int channels = channelCount(in.get(1), where);
        List<String> classes = channelNames(out.get(1), where);
        int step = 0, min = 0;
        for (Map<String, Object> a : in.subList(2, 4)) {
            Object size = a.get("size");
            if (size instanceof Map<?, ?> s) {
                step = Math.max(step, ((Number) s.get("step")).intValue());
                min = Math.max(min, ((Number) s.get("min")).intValue());
            } else if (size instanceof Number fixed) {
                throw new IOException(where + ": the input is a fixed " + fixed + " px; CNN-J tiles images and needs"
                        + " a size of min + k·step");
            }
        }
        int tileMultiple = Math.max(1, step);
        if (min % tileMultiple != 0) {
            throw new IOException(where + ": input sizes " + min + " + k·" + step + " are not multiples of one number;"
                    + " CNN-J needs tile sizes that are (min a multiple of step)");
        }
        int halo = 0;
        for (Map<String, Object> a : out.subList(2, 4))
            if (a.get("halo") instanceof Number h) halo = Math.max(halo, h.intValue());
        Normalization n = normalization(input, where);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("bioimage.io", String.valueOf(rdf.get("name")));
        if (rdf.get("id") != null) provenance.put("bioimage.io id", String.valueOf(rdf.get("id")));
        provenance.put("imported from", where.toString());
        int roundedHalo = (halo + tileMultiple - 1) / tileMultiple * tileMultiple;
        return new SegmentationSpec(
                1,
                "NCHW",
                channels,
                classes,
                "probabilities",
                SegmentationTask.SEMANTIC,
                n,
                tileMultiple,
                roundedHalo,
                null,
                provenance,
                0,
                0,
                null);
    }

    private static Normalization normalization(Map<String, Object> input, Path where) throws IOException {
        Object pre = input.get("preprocessing");
        if (pre == null || (pre instanceof List<?> l && l.isEmpty())) return Normalization.none();
        if (!(pre instanceof List<?> steps)) throw new IOException(where + ": preprocessing must be a list");
        Normalization n = Normalization.none();
        for (Object o : steps) {
            Map<String, Object> step = map(o, "preprocessing", where);
            String id = String.valueOf(step.get("id"));
            Map<String, Object> kw = step.get("kwargs") == null ? Map.of() : map(step.get("kwargs"), "kwargs", where);
            switch (id) {
                case "ensure_dtype" -> {} // CNN-J feeds float32 anyway
                case "scale_range" -> {
                    Object axes = kw.get("axes");
                    if (axes instanceof List<?> a && (a.contains("channel") || a.contains("c"))) {
                        throw new IOException(where + ": scale_range over the channel axis; CNN-J scales each channel"
                                + " on its own (axes [y, x] or [batch, y, x])");
                    }
                    double lo = number(kw.getOrDefault("min_percentile", 0.0)),
                            hi = number(kw.getOrDefault("max_percentile", 100.0));
                    n = Normalization.percentile(lo, hi);
                }
                default ->
                    throw new IOException(where + ": preprocessing \"" + id + "\" is not supported by CNN-J"
                            + " (it applies scale_range and ensure_dtype); apply it to the images first or re-export");
            }
        }
        return n;
    }

    private static String order(List<Map<String, Object>> axes) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> a : axes) {
            String type = String.valueOf(a.get("type"));
            sb.append(
                    switch (type) {
                        case "batch" -> 'b';
                        case "channel" -> 'c';
                        case "space" ->
                            String.valueOf(a.getOrDefault("id", "?")).charAt(0);
                        default -> type.charAt(0);
                    });
        }
        return sb.toString();
    }

    private static int channelCount(Map<String, Object> axis, Path where) throws IOException {
        return channelNames(axis, where).size();
    }

    private static List<String> channelNames(Map<String, Object> axis, Path where) throws IOException {
        if (axis.get("channel_names") instanceof List<?> names && !names.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (Object o : names) out.add(String.valueOf(o));
            return out;
        }
        throw new IOException(where + ": a channel axis without channel_names; the 0.5 spec requires them");
    }

    private static List<Map<String, Object>> axes(Map<String, Object> tensor, Path where) throws IOException {
        if (!(tensor.get("axes") instanceof List<?> list))
            throw new IOException(where + ": tensor " + tensor.get("id") + " has no axes list (format 0.5)");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list) out.add(map(o, "axes", where));
        return out;
    }

    private static Map<String, Object> first(Object list, String field, Path where) throws IOException {
        if (!(list instanceof List<?> l) || l.isEmpty()) throw new IOException(where + ": no " + field);
        if (l.size() > 1)
            throw new IOException(
                    where + ": " + l.size() + " " + field + "; CNN-J runs models with one input and one output");
        return map(l.get(0), field, where);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String field, Path where) throws IOException {
        if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IOException(where + ": " + field + " must be a mapping, got " + o);
    }

    private static String text(Object o, String field, Path where) throws IOException {
        if (o instanceof String s && !s.isBlank()) return s;
        throw new IOException(where + ": " + field + " is missing");
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
    }

    /** The description as maps and lists (SnakeYAML's safe loader: no arbitrary classes). */
    public static Map<String, Object> parse(Path rdf) throws IOException {
        try (InputStream in = Files.newInputStream(rdf)) {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            return map(o, "the description", rdf);
        } catch (YAMLException e) {
            throw new IOException(
                    rdf + " is not valid YAML ("
                            + e.getMessage().lines().findFirst().orElse("") + ")",
                    e);
        }
    }

    /** Refuses a file whose sha256 differs from the one the description gives (a damaged or swapped file). */
    public static void checkSha(Map<String, Object> file, Path path, Path where) throws IOException {
        if (!(file.get("sha256") instanceof String expected)) return;
        String actual = sha256(Files.readAllBytes(path));
        if (!actual.equalsIgnoreCase(expected))
            throw new IOException(where + ": " + path.getFileName() + " has sha256 " + actual + ", not " + expected
                    + " as the description says; the package is damaged: download it again");
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary folder of the cache
        }
    }

    /** Unpacks a zip once into ~/.cnnj/bioimageio/SHA/ (folder completed under a temporary name, then renamed). */
    private static Path unzip(Path zip) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        Path root = Path.of(System.getProperty("user.home"), ".cnnj", "bioimageio");
        Path dir = root.resolve(sha256(bytes).substring(0, 16));
        if (!Files.isDirectory(dir)) {
            AtomicFiles.createFolder(root);
            Path tmp = Files.createTempDirectory(root, "unpacking-");
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    Path target = tmp.resolve(e.getName()).normalize();
                    if (!target.startsWith(tmp))
                        throw new IOException(zip + " has an entry outside its folder: " + e.getName());
                    if (e.isDirectory()) Files.createDirectories(target);
                    else {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target);
                    }
                }
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp); // a refused zip leaves nothing behind
                if (e instanceof IOException io
                        && io.getMessage() != null
                        && io.getMessage().startsWith(zip.toString())) throw io;
                throw new IOException(
                        zip + " is not a readable zip (" + e.getMessage() + "); download the package" + " again", e);
            }
            try {
                Files.move(tmp, dir);
            } catch (IOException raced) { // another process unpacked the same package meanwhile
                if (!Files.isDirectory(dir)) throw raced;
            }
        }
        for (String name : new String[] {"rdf.yaml", "bioimageio.yaml"})
            if (Files.isRegularFile(dir.resolve(name))) return dir.resolve(name);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".bioimageio.yaml"))
                    .findFirst()
                    .orElseThrow(() -> new IOException(zip + " has no rdf.yaml; it is not a bioimage.io package"));
        }
    }
}
