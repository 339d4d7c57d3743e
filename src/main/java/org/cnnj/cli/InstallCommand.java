package org.cnnj.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./cnnj install PATH [--gpu]} and {@code ./cnnj uninstall PATH}: puts CNN-J into an existing
 * Fiji.app or plain ImageJ folder — our jar, ONNX Runtime (CPU, or the CUDA build with --gpu), and
 * exactly the dependencies that folder lacks. A dependency the folder already has in the same or a newer
 * version is left as it is; an older one is a clash this tool will not resolve (replacing a library Fiji
 * ships can break other plugins), so it refuses, naming both jars. What it copied is listed in
 * cnnj-installed.txt there, and uninstall removes exactly that.
 */
final class InstallCommand {
    static final String MANIFEST = "cnnj-installed.txt";
    private static final Pattern VERSIONED = Pattern.compile("(.+?)-(\\d[\\w.\\-]*)\\.jar");

    private InstallCommand() {}

    static int install(String[] args) throws IOException {
        boolean gpu = List.of(args).contains("--gpu");
        Path root = folder("install", args, List.of("--gpu"));
        Path built = builtJar();
        Path lib = built.resolveSibling("lib");
        boolean fiji = Files.isDirectory(root.resolve("jars"));
        Path jarDir = fiji ? root.resolve("jars") : root.resolve("plugins"),
                depDir = fiji ? root.resolve("jars") : root.resolve("plugins/jars");
        if (Files.exists(root.resolve(MANIFEST))) {
            throw new IllegalArgumentException(
                    root + " has CNN-J installed already (" + MANIFEST + "); run ./cnnj uninstall " + root + " first");
        }
        List<Path[]> copies = new ArrayList<>();
        copies.add(new Path[] {built, jarDir.resolve(built.getFileName())});
        List<Path> existing = jarsUnder(root);
        try (Stream<Path> s = Files.list(lib)) {
            for (Path dep : s.sorted().toList()) {
                String name = dep.getFileName().toString();
                if (name.startsWith("ij-")) continue; // ImageJ itself is what we install into
                if (name.startsWith("onnxruntime") && gpu != name.startsWith("onnxruntime_gpu")) continue;
                Optional<Path> present = sameArtifact(existing, name);
                if (present.isPresent()) {
                    int cmp =
                            compareVersions(version(present.get().getFileName().toString()), version(name));
                    if (cmp >= 0) {
                        System.out.println("keeping " + root.relativize(present.get()) + " (CNN-J needs " + name + ")");
                        continue;
                    }
                    throw new IllegalArgumentException(
                            "version clash: " + root.relativize(present.get()) + " is older than the " + name
                                    + " CNN-J needs;" + " update " + (fiji ? "Fiji (Help › Update…)" : "that jar")
                                    + " first — this tool does not replace libraries other plugins use");
                }
                copies.add(new Path[] {dep, depDir.resolve(name)});
            }
        }
        if (gpu
                && copies.stream().noneMatch(c -> c[0].getFileName().toString().startsWith("onnxruntime_gpu"))
                && sameArtifact(existing, "onnxruntime_gpu-0.jar").isEmpty()) {
            throw new IllegalArgumentException(
                    "--gpu needs the CUDA build of ONNX Runtime: build with mvn -Pcuda package first");
        }
        StringBuilder manifest =
                new StringBuilder("# files CNN-J's installer copied here; ./cnnj uninstall removes them\n");
        for (Path[] c : copies) {
            Files.createDirectories(c[1].getParent());
            Files.copy(c[0], c[1], StandardCopyOption.REPLACE_EXISTING);
            manifest.append(root.relativize(c[1])).append('\n');
            System.out.println("copied " + root.relativize(c[1]));
        }
        Files.writeString(root.resolve(MANIFEST), manifest.toString(), StandardCharsets.UTF_8);
        System.out.println("CNN-J installed in " + root + (fiji ? " (Fiji)" : " (ImageJ 1)")
                + "; restart it, then Plugins › CNN-J. For faster training"
                + " start Java with --add-modules jdk.incubator.vector (README: Install in Fiji).");
        return 0;
    }

    static int uninstall(String[] args) throws IOException {
        Path root = folder("uninstall", args, List.of());
        Path manifest = root.resolve(MANIFEST);
        if (!Files.exists(manifest))
            throw new IllegalArgumentException(
                    "no " + MANIFEST + " in " + root + ": CNN-J was not installed there by ./cnnj install");
        for (String line : Files.readAllLines(manifest)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Path f = root.resolve(line).normalize();
            if (!f.startsWith(root)) continue; // only what lies inside the folder
            if (Files.deleteIfExists(f)) System.out.println("removed " + line);
            Path parent = f.getParent();
            if (parent != null && !parent.equals(root) && Files.isDirectory(parent) && isEmpty(parent))
                Files.delete(parent);
        }
        Files.delete(manifest);
        return 0;
    }

    /** The one folder argument (besides the known flags). */
    private static Path folder(String command, String[] args, List<String> flags) throws IOException {
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (flags.contains(a)) continue;
            if (a.startsWith("--"))
                throw new IllegalArgumentException(command + ": unknown option " + a + "; options: " + flags);
            rest.add(a);
        }
        if (rest.size() != 1)
            throw new IllegalArgumentException(
                    command + ": give the Fiji.app or ImageJ folder, e.g. ./cnnj " + command + " ~/Fiji.app");
        Path root = Path.of(rest.get(0)).toAbsolutePath().normalize();
        boolean imagej = Files.isDirectory(root.resolve("plugins"))
                && (Files.isDirectory(root.resolve("jars")) || Files.exists(root.resolve("ij.jar")));
        if (!imagej)
            throw new IOException(root + " is not a Fiji.app or ImageJ folder (it needs plugins/ and jars/ or ij.jar)");
        return root;
    }

    /** The CNN-J jar this launcher runs (target/CNN-J_-VERSION.jar, with target/lib/ beside it). */
    private static Path builtJar() throws IOException {
        Path here;
        try {
            here = Path.of(InstallCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot tell where CNN-J runs from: " + e.getMessage());
        }
        if (Files.isRegularFile(here)) return here;
        try (Stream<Path> s = Files.list(here.getParent())) { // target/classes: the jar next to it
            return s.filter(p -> p.getFileName().toString().matches("CNN-J_-.*\\.jar")
                            && !p.toString().contains("sources"))
                    .findFirst()
                    .orElseThrow(() -> new IOException(
                            "no built CNN-J_ jar in " + here.getParent() + "; run mvn -B package first"));
        }
    }

    private static List<Path> jarsUnder(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root, 4)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
        }
    }

    private static Optional<Path> sameArtifact(List<Path> jars, String name) {
        String artifact = artifact(name);
        return jars.stream()
                .filter(p -> artifact.equals(artifact(p.getFileName().toString())))
                .findFirst();
    }

    static String artifact(String jar) {
        Matcher m = VERSIONED.matcher(jar);
        return (m.matches() ? m.group(1) : jar.replaceFirst("\\.jar$", "")).toLowerCase(Locale.ROOT);
    }

    static String version(String jar) {
        Matcher m = VERSIONED.matcher(jar);
        return m.matches() ? m.group(2) : "0";
    }

    /** Compares dotted versions numerically where they are numbers (2.100.1 > 2.99.0). */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.\\-]"), y = b.split("[.\\-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0", q = i < y.length ? y[i] : "0";
            int c = p.matches("\\d+") && q.matches("\\d+")
                    ? Long.compare(Long.parseLong(p), Long.parseLong(q))
                    : p.compareTo(q);
            if (c != 0) return c;
        }
        return 0;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
