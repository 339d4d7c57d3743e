package org.cnnj.seg;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.cnnj.io.AtomicFiles;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * bioimage.io model packages as CNN-J models. A package is a .zip, a folder, or its description file — named
 * bioimageio.yaml, rdf.yaml, NAME.bioimageio.yaml or NAME.rdf.yaml, at the top of the package or in its one sub-folder
 * — of format 0.4 or 0.5. Its ONNX weights are run as they are, with a CNN-J sidecar made from the description ({@link
 * BioimageIoDescription}: axes, input sizes, halo, pre- and postprocessing, channel names); nothing is written beside
 * the package. A package that CNN-J wrote carries its own sidecar (attachment cnnj.json), which is then used exactly.
 * What CNN-J cannot honour (weights other than ONNX, 3-D or time axes, several inputs) is refused by name.
 */
public final class BioimageIo {
    /**
     * A package read: its ONNX weights, the CNN-J sidecar its description stands for (held here, never written beside
     * the package: a package may sit on a read-only share, and writing next to its files could change another model),
     * the description, and its folder.
     */
    public record Package(Path onnx, SegmentationSpec spec, Map<String, Object> rdf, Path folder) {}

    /** Weight formats of the specification, as its descriptions name them. */
    static final List<String> TORCH = List.of("pytorch_state_dict", "torchscript");

    private BioimageIo() {}

    /** True for a description's file name: bioimageio.yaml, rdf.yaml, *.bioimageio.yaml or *.rdf.yaml. */
    public static boolean isDescription(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.equals("rdf.yaml")
                || n.equals("bioimageio.yaml")
                || n.endsWith(".rdf.yaml")
                || n.endsWith(".bioimageio.yaml");
    }

    /** A bioimage.io package: a .zip, a description file, or a folder holding one. */
    public static boolean isPackage(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip") || isDescription(p)) return true;
        if (!Files.isDirectory(p)) return false;
        try {
            return description(p, p) != null;
        } catch (IOException e) {
            return true; // a folder with several descriptions: open() says so
        }
    }

    /** Opens a package (a zip is unpacked once into ~/.cnnj/bioimageio/, by content). */
    public static Package open(Path p) throws IOException {
        if (!Files.exists(p)) throw new IOException("model package " + p + " does not exist; check the path");
        boolean zip = p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
        Path rdfFile = zip ? unzip(p) : Files.isDirectory(p) ? description(p, p) : p;
        if (rdfFile == null)
            throw new IOException(p + " holds no bioimage.io description (bioimageio.yaml, rdf.yaml,"
                    + " NAME.bioimageio.yaml); it is not a model package");
        // Messages name what the user chose (their zip), not the cache folder it was unpacked to.
        String where = zip ? p + " (" + rdfFile.getFileName() + ")" : rdfFile.toString();
        Map<String, Object> rdf = parse(rdfFile, where);
        if (!"model".equals(rdf.get("type")))
            throw new IOException(where + " is a bioimage.io \"" + rdf.get("type") + "\" description, not a model;"
                    + " choose a model package");
        Path folder = rdfFile.toAbsolutePath().getParent();
        Map<String, Object> weights = map(rdf.get("weights"), "weights", where);
        if (weights.get("onnx") == null) throw new IOException(noOnnx(where, p, weights.keySet()));
        Map<String, Object> onnx = map(weights.get("onnx"), "weights.onnx", where);
        Path model = inside(folder, text(onnx.get("source"), "weights.onnx.source", where), where);
        if (!Files.isRegularFile(model))
            throw new IOException(where + ": its ONNX weights " + folder.relativize(model) + " are missing from the"
                    + " package; download it again");
        checkSha(onnx, model, where);
        Path own = folder.resolve("cnnj.json");
        SegmentationSpec spec =
                Files.isRegularFile(own) ? SegmentationSpec.read(own) : BioimageIoDescription.describe(rdf, where);
        return new Package(model, spec, rdf, folder);
    }

    /**
     * Why a package without ONNX weights cannot run, and the one command that makes it run: the bioimage.io tools
     * convert PyTorch weights (a 0.4 description is first updated); TensorFlow weights go through tf2onnx.
     */
    static String noOnnx(String where, Path pkg, Set<String> formats) {
        StringBuilder sb = new StringBuilder(where + ": its weights are " + String.join(", ", formats)
                + ", none of them ONNX, the one format CNN-J runs (in Java, no Python needed). ");
        if (formats.stream().anyMatch(TORCH::contains)) {
            sb.append("Convert them once where Python and bioimageio.core are installed: bioimageio add-weights \"")
                    .append(pkg)
                    .append("\" converted --target-format onnx")
                    .append(" (a format 0.4 package: bioimageio update-format first), then give CNN-J the folder"
                            + " \"converted\".");
        } else {
            sb.append("TensorFlow weights convert with tf2onnx: python -m tf2onnx.convert --saved-model FOLDER"
                    + " --output weights.onnx; then add weights: onnx: {source: weights.onnx} to the description.");
        }
        return sb.toString();
    }

    /**
     * The description in a folder: at its top (bioimageio.yaml, then rdf.yaml, then one *.bioimageio.yaml or
     * *.rdf.yaml), else in its one sub-folder that has one (zips often hold the package in a folder); null if none.
     */
    static Path description(Path dir, Path shown) throws IOException {
        Path top = descriptionAt(dir, shown);
        if (top != null) return top;
        List<Path> found = new ArrayList<>();
        try (Stream<Path> subs = Files.list(dir)) {
            for (Path sub : subs.filter(Files::isDirectory).sorted().toList()) {
                Path d = descriptionAt(sub, shown);
                if (d != null) found.add(d);
            }
        }
        if (found.size() > 1)
            throw new IOException(shown + " holds " + found.size() + " packages ("
                    + found.stream().map(f -> dir.relativize(f).toString()).collect(Collectors.joining(", "))
                    + "); choose one of them");
        return found.isEmpty() ? null : found.get(0);
    }

    private static Path descriptionAt(Path dir, Path shown) throws IOException {
        for (String name : new String[] {"bioimageio.yaml", "rdf.yaml"})
            if (Files.isRegularFile(dir.resolve(name))) return dir.resolve(name);
        List<Path> named;
        try (Stream<Path> files = Files.list(dir)) {
            named = files.filter(f -> Files.isRegularFile(f) && isDescription(f))
                    .sorted()
                    .toList();
        }
        if (named.size() > 1)
            throw new IOException(shown + " holds several descriptions ("
                    + named.stream().map(f -> f.getFileName().toString()).collect(Collectors.joining(", "))
                    + "); choose one of them as the model");
        return named.isEmpty() ? null : named.get(0);
    }

    /**
     * A file a package names, which must lie inside the package: an absolute path or a ../ path would run (or read) a
     * file elsewhere on the disk, such as another user's model, under this package's name.
     */
    static Path inside(Path folder, String source, String pkg) throws IOException {
        Path root = folder.toAbsolutePath().normalize(),
                file = root.resolve(source).normalize();
        if (source.contains("://"))
            throw new IOException(pkg + ": its weights are at " + source + ", not in the package; CNN-J opens packages"
                    + " with their files: download the model's .zip (bioimage.io, \"Download\") and choose that");
        if (!file.startsWith(root) || Path.of(source).isAbsolute()) {
            throw new IOException(pkg + ": the description names \"" + source + "\", a file outside the package;"
                    + " a package may only name its own files (a relative path inside it): it was not opened");
        }
        return file;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String field, String where) throws IOException {
        if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IOException(where + ": " + field + " must be a mapping, got " + o);
    }

    static String text(Object o, String field, String where) throws IOException {
        if (o instanceof String s && !s.isBlank()) return s;
        throw new IOException(where + ": " + field + " is missing");
    }

    /** The description as maps and lists (SnakeYAML's safe loader: no arbitrary classes). */
    public static Map<String, Object> parse(Path rdf) throws IOException {
        return parse(rdf, rdf.toString());
    }

    private static Map<String, Object> parse(Path rdf, String where) throws IOException {
        try (InputStream in = Files.newInputStream(rdf)) {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            return map(o, "the description", where);
        } catch (YAMLException e) {
            throw new IOException(
                    where + " is not valid YAML ("
                            + e.getMessage().lines().findFirst().orElse("") + ")",
                    e);
        }
    }

    /** Refuses a file whose sha256 differs from the one the description gives (a damaged or swapped file). */
    public static void checkSha(Map<String, Object> file, Path path, String where) throws IOException {
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
                AtomicFiles.deleteTree(tmp); // a refused zip leaves nothing behind
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
        return description(dir, zip);
    }
}
