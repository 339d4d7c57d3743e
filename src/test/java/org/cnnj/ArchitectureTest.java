package org.cnnj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, so it cannot decay silently: which package may use which (the layer table,
 * imports and any reference by full name alike), no package cycles, the ImageJ-free core, and no inline
 * fully-qualified names in code. A new dependency is a decision: add it to the table here.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("src/main/java/org/cnnj");

    /** Package → the CNN-J packages it may use. Bottom first; each row may only name rows above it. */
    private static final Map<String, Set<String>> LAYERS = new LinkedHashMap<>();

    static {
        // The training core: tensors and autograd, kernels, one op per file, losses, layers, optimizers, files.
        layer("util");
        layer("data", "util");
        layer("kernel", "util");
        layer("tensor");
        layer("ops", "kernel", "tensor", "util");
        layer("loss", "ops", "tensor", "util");
        layer("nn", "ops", "tensor", "util");
        layer("optim", "tensor");
        layer("io", "nn", "optim", "tensor");
        layer("onnx", "io", "nn", "ops", "tensor");
        // Shared rooms of the tasks: model files and sidecars, engines and tiling, the one training loop.
        layer("model", "data", "io", "nn", "onnx");
        layer("runtime", "kernel", "model", "nn", "onnx", "tensor", "util");
        layer("train", "io", "nn", "optim", "tensor", "util");
        // One room per task; tasks never use each other.
        layer("det", "data", "loss", "model", "nn", "onnx", "ops", "optim", "runtime", "tensor", "train", "util");
        layer(
                "seg", "data", "io", "kernel", "loss", "model", "nn", "onnx", "ops", "optim", "runtime", "tensor",
                "train", "util");
        layer("cls", "data", "loss", "model", "nn", "onnx", "ops", "optim", "runtime", "tensor", "train", "util");
        // Adapters and entry points: ImgLib2, benchmarks, ImageJ files and displays, the CLI, the Fiji/ImageJ commands.
        layer("imglib", "data", "model", "runtime", "seg");
        layer(
                "ij", "cls", "data", "det", "io", "model", "nn", "onnx", "runtime", "seg", "tensor",
                "train"); // tensor: Engine.run's type
        layer(
                "bench", "cls", "det", "ij", "imglib", "kernel", "loss", "model", "nn", "ops", "optim", "runtime",
                "seg", "tensor", "train", "util");
        layer("fiji", "cls", "det", "ij", "model", "runtime", "seg", "train");
        // The CLI's subcommands take their options from the Fiji commands' parameters (one list for both).
        layer(
                "cli", "bench", "cls", "det", "fiji", "ij", "io", "kernel", "model", "nn", "onnx", "runtime", "seg",
                "train", "util");
    }

    /**
     * Packages that make up the ImageJ-free core: everything but the ImageJ/ImgLib2 adapters (ij, imglib), the
     * commands (fiji), the CLI and the benchmarks (bench times the ImgLib2 cell-image path too).
     */
    private static final Set<String> CORE = Set.of(
            "tensor", "kernel", "ops", "loss", "nn", "optim", "io", "util", "train", "onnx", "model", "runtime", "data",
            "cls", "det", "seg");

    private static final Pattern UI_IMPORT = Pattern.compile(
            "^import\\s+(static\\s+)?(ij|net\\.imagej|org\\.scijava|net\\.imglib2|java\\.awt|javax\\.swing)\\.",
            Pattern.MULTILINE);
    private static final Pattern CNNJ_REFERENCE = Pattern.compile("org\\.cnnj\\.([a-z]+)\\.[A-Z]");
    private static final Pattern FULL_NAME =
            Pattern.compile("(?<![\\w.])(?:java|javax|org|net|ij|com)\\.(?:[a-z_][a-z0-9_]*\\.)*[A-Z]\\w*");

    private static Map<Path, String> sources;

    private static void layer(String name, String... uses) {
        for (String u : uses)
            assertTrue(LAYERS.containsKey(u), name + " may only use packages listed above it, not " + u);
        LAYERS.put(name, Set.of(uses));
    }

    @BeforeAll
    static void read() throws IOException {
        sources = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".java")).sorted().toList())
                sources.put(p, Files.readString(p));
        }
        assertTrue(sources.size() > 150, "expected to scan the sources, found " + sources.size());
    }

    private static String packageOf(Path file) {
        return ROOT.relativize(file).getName(0).toString();
    }

    @Test
    void everyPackageIsInTheLayerTableAndUsesOnlyWhatItMay() {
        List<String> offences = new ArrayList<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            String pkg = packageOf(e.getKey());
            Set<String> allowed = LAYERS.get(pkg);
            if (allowed == null) {
                offences.add(pkg + " (" + e.getKey().getFileName() + ") is not in the layer table");
                continue;
            }
            Matcher m = CNNJ_REFERENCE.matcher(e.getValue());
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg) && !allowed.contains(used))
                    offences.add(e.getKey().getFileName() + " (" + pkg + ") uses " + used);
            }
        }
        assertEquals(List.of(), offences);
    }

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> actual = new LinkedHashMap<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            String pkg = packageOf(e.getKey());
            Matcher m = CNNJ_REFERENCE.matcher(e.getValue());
            while (m.find())
                if (!m.group(1).equals(pkg))
                    actual.computeIfAbsent(pkg, k -> new TreeSet<>()).add(m.group(1));
        }
        for (String from : actual.keySet()) {
            Deque<String> todo = new ArrayDeque<>(actual.get(from));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String p = todo.pop();
                assertTrue(!p.equals(from), "package cycle through " + from + " (" + from + " → … → " + from + ")");
                if (seen.add(p)) todo.addAll(actual.getOrDefault(p, Set.of()));
            }
        }
    }

    @Test
    void coreHasNoImageJSciJavaOrAwtImports() {
        List<String> offenders = new ArrayList<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            if (CORE.contains(packageOf(e.getKey()))
                    && UI_IMPORT.matcher(e.getValue()).find())
                offenders.add(e.getKey().toString());
        }
        assertEquals(List.of(), offenders, "core files importing ImageJ/SciJava/ImgLib2/AWT");
    }

    @Test
    void codeNamesTypesByTheirImportsNotInline() {
        List<String> offences = new ArrayList<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            String code = codeOnly(e.getValue());
            Matcher m = FULL_NAME.matcher(code);
            while (m.find()) offences.add(e.getKey().getFileName() + ": " + m.group());
        }
        assertEquals(List.of(), offences, "inline fully-qualified names (import the type instead)");
    }

    /** The source without its package and import lines, comments, strings and character literals. */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder();
        int i = 0, n = src.length();
        while (i < n) {
            if (src.startsWith("//", i)) {
                int j = src.indexOf('\n', i);
                i = j < 0 ? n : j;
            } else if (src.startsWith("/*", i)) {
                int j = src.indexOf("*/", i + 2);
                i = j < 0 ? n : j + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int j = src.indexOf("\"\"\"", i + 3);
                i = j < 0 ? n : j + 3;
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                char q = src.charAt(i++);
                while (i < n && src.charAt(i) != q) i += src.charAt(i) == '\\' ? 2 : 1;
                i++;
            } else {
                out.append(src.charAt(i++));
            }
        }
        return Pattern.compile("^\\s*(package|import)\\s[^\\n]*$", Pattern.MULTILINE)
                .matcher(out)
                .replaceAll("");
    }

    @Test
    void theTableCatchesAnOffence() {
        // A test that cannot fail is a defect: the checks above find what they are meant to find.
        assertTrue(FULL_NAME
                .matcher(codeOnly("class A { java.util.List<String> x; String s = \"java.util.Map\"; }"))
                .find());
        assertTrue(!FULL_NAME
                .matcher(codeOnly("import java.util.List;\nclass A { /** {@link java.util.Map} */ List<String> x; }"))
                .find());
        assertTrue(
                !LAYERS.get("tensor").contains("ops") && !LAYERS.get("ops").contains("nn"),
                "lower rooms never use higher ones");
        assertTrue(
                !LAYERS.get("det").contains("seg")
                        && !LAYERS.get("seg").contains("det")
                        && !LAYERS.get("cls").contains("seg")
                        && !LAYERS.get("cls").contains("det")
                        && !LAYERS.get("seg").contains("cls")
                        && !LAYERS.get("det").contains("cls"),
                "task rooms never use each other");
    }
}
