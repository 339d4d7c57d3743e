package org.cnnj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * The shape of the code, so it cannot decay silently: which package uses which (the layer table of
 * docs/architecture.md, against imports and any reference by full name alike), no package cycles, the ImageJ-free
 * core, options by name, and no inline fully-qualified names in code. A new dependency is a decision: add it to
 * the table there.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("src/main/java/org/cnnj");

    /** The layer table: docs/architecture.md's rows, room → the rooms it uses, bottom first. */
    private static final Map<String, Set<String>> LAYERS = new LinkedHashMap<>();

    private static final Path TABLE = Path.of("docs/architecture.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|.*\\| ([^|]*) \\|$", Pattern.MULTILINE);

    /** Reads the table; each row may only name rows above it (so the rooms have no cycles). */
    static Map<String, Set<String>> table(String markdown) {
        Map<String, Set<String>> layers = new LinkedHashMap<>();
        Matcher m = ROW.matcher(markdown);
        while (m.find()) {
            Set<String> uses = new TreeSet<>();
            Matcher used = Pattern.compile("`([a-z]+)`").matcher(m.group(2));
            while (used.find()) uses.add(used.group(1));
            for (String u : uses)
                assertTrue(layers.containsKey(u), m.group(1) + " may only use rooms listed above it, not " + u);
            layers.put(m.group(1), uses);
        }
        return layers;
    }

    /**
     * Packages that make up the ImageJ-free core: everything but the ImageJ/ImgLib2 adapters (ij, imglib), the
     * commands (fiji), the CLI and the benchmarks (bench times the ImgLib2 cell-image path too).
     */
    private static final Set<String> CORE = Set.of(
            "tensor", "kernel", "ops", "loss", "nn", "optim", "io", "util", "train", "onnx", "model", "runtime", "data",
            "cls", "det", "seg", "catalog");

    private static final Pattern UI_IMPORT = Pattern.compile(
            "^import\\s+(static\\s+)?(ij|net\\.imagej|org\\.scijava|net\\.imglib2|java\\.awt|javax\\.swing)\\.",
            Pattern.MULTILINE);
    private static final Pattern CNNJ_REFERENCE = Pattern.compile("org\\.cnnj\\.([a-z]+)\\.[A-Z]");
    private static final Pattern FULL_NAME =
            Pattern.compile("(?<![\\w.])(?:java|javax|org|net|ij|com|ai)\\.(?:[a-z_][a-z0-9_]*\\.)*[A-Z]\\w*");

    private static Map<Path, String> sources;

    @BeforeAll
    static void read() throws IOException {
        LAYERS.putAll(table(Files.readString(TABLE)));
        assertTrue(LAYERS.size() > 20, "expected the table's rows in " + TABLE + ", found " + LAYERS.keySet());
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
    void theTableNamesExactlyTheRoomsEachRoomUses() {
        Map<String, Set<String>> actual = new LinkedHashMap<>();
        for (String room : LAYERS.keySet()) actual.put(room, new TreeSet<>());
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            String pkg = packageOf(e.getKey());
            Matcher m = CNNJ_REFERENCE.matcher(e.getValue());
            while (m.find())
                if (!m.group(1).equals(pkg))
                    actual.computeIfAbsent(pkg, k -> new TreeSet<>()).add(m.group(1));
        }
        Map<String, Set<String>> table = new LinkedHashMap<>();
        LAYERS.forEach((k, v) -> table.put(k, new TreeSet<>(v)));
        assertEquals(table, actual, "docs/architecture.md's table against the imports");
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
    void onlyTheSparkRoomImportsSpark() {
        Pattern spark = Pattern.compile(
                "^import\\s+(static\\s+)?(org\\.apache\\.spark|scala|org\\.apache\\.logging\\.log4j|net\\.jpountz"
                        + "|com\\.github\\.luben|org\\.xerial\\.snappy)\\.",
                Pattern.MULTILINE);
        List<String> offenders = new ArrayList<>();
        int inSpark = 0;
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            boolean imports = spark.matcher(e.getValue()).find();
            if (packageOf(e.getKey()).equals("spark")) inSpark += imports ? 1 : 0;
            else if (imports) offenders.add(e.getKey().toString());
        }
        assertEquals(List.of(), offenders, "Spark is provided: only the spark room may use it");
        assertTrue(inSpark > 3, "the check sees the spark room's imports");
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
        assertTrue(FULL_NAME
                .matcher(codeOnly("class A { void f() throws ai.onnxruntime.OrtException {} }"))
                .find());
        assertEquals(
                List.of("A.f takes 6"),
                wideMethods(Map.of(
                        ROOT.resolve("seg/A.java"),
                        "class A { public static void f(int a, Map<String, List<Integer>> b,"
                                + " int c, int d, int e, int f) {} public A(int a, int b) {} }")));
        assertEquals(
                List.of("B.java builds Wide by position"),
                positionalWideRecords(Map.of(
                        ROOT.resolve("seg/Wide.java"),
                        "public record Wide(int a, int b, int c, int d, int e, int f, int g,"
                                + " List<Map<String, Integer>> h) {}",
                        ROOT.resolve("ij/B.java"),
                        "class B { Object w = new Wide(1, 2, 3, 4, 5, 6, 7, null); }")));
        assertTrue(
                !LAYERS.get("tensor").contains("ops") && !LAYERS.get("ops").contains("nn"),
                "lower rooms never use higher ones");
        assertThrows(
                AssertionError.class,
                () -> table("| `a` | x | `b` |\n| `b` | y | — |\n"),
                "a row naming a room below it (a cycle) is refused");
        assertEquals(Map.of("a", Set.of(), "b", Set.of("a")), table("| `a` | x | — |\n| `b` | y | `a` |\n"));
        assertTrue(
                !LAYERS.get("det").contains("seg")
                        && !LAYERS.get("seg").contains("det")
                        && !LAYERS.get("cls").contains("seg")
                        && !LAYERS.get("cls").contains("det")
                        && !LAYERS.get("seg").contains("cls")
                        && !LAYERS.get("det").contains("cls"),
                "task rooms never use each other");
    }

    /**
     * The numeric core follows PyTorch's and BLAS's argument lists (a batch norm takes input, weight, bias, running
     * statistics, momentum and epsilon; a GEMM micro-kernel its sizes, arrays, offsets and strides, and wrapping them
     * would allocate on the hot path); everything above it takes at most five parameters, grouping the rest by name.
     */
    private static final Set<String> NUMERIC_CORE = Set.of("kernel", "ops", "tensor", "nn", "loss", "optim", "onnx");

    private static final Pattern PUBLIC_METHOD =
            Pattern.compile("\\bpublic\\s+(?:(?:static|final|synchronized|default|abstract)\\s+)*(?:<[^()]*?>\\s+)?"
                    + "(?:[\\w.\\[\\]<>?, ]+\\s+)?(\\w+)\\s*\\(");

    @Test
    void publicMethodsAboveTheNumericCoreTakeAtMostFiveParameters() {
        assertEquals(List.of(), wideMethods(sources), "group parameters into a record with defaults and withers");
    }

    /** "Class.method takes n" for each public method or constructor (outside the numeric core) with more than 5. */
    static List<String> wideMethods(Map<Path, String> files) {
        List<String> offences = new ArrayList<>();
        for (Map.Entry<Path, String> e : files.entrySet()) {
            if (NUMERIC_CORE.contains(packageOf(e.getKey()))) continue;
            String code = codeOnly(e.getValue());
            String type = e.getKey().getFileName().toString().replace(".java", "");
            Matcher m = PUBLIC_METHOD.matcher(code);
            while (m.find()) {
                String name = m.group(1);
                if (Set.of("class", "record", "interface", "enum", "new", "return")
                        .contains(name)) continue;
                if (code.substring(m.start(), m.end()).matches("(?s).*\\b(record|class|interface|enum)\\b.*")) continue;
                int close = closing(code, m.end() - 1);
                int count = parameterCount(code.substring(m.end(), close));
                if (count > 5) offences.add(type + "." + name + " takes " + count);
            }
        }
        return offences;
    }

    /** Index of the parenthesis that closes the one at {@code open}. */
    private static int closing(String code, int open) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i;
        }
        return code.length();
    }

    /** Top-level commas of a parameter list, generics' angle brackets and annotations' parentheses skipped. */
    private static int parameterCount(String list) {
        if (list.isBlank()) return 0;
        int depth = 0, count = 1;
        for (char c : list.toCharArray()) {
            if (c == '<' || c == '(') depth++;
            else if (c == '>' || c == ')') depth--;
            else if (c == ',' && depth == 0) count++;
        }
        return count;
    }

    private static final Pattern RECORD = Pattern.compile("\\brecord\\s+(\\w+)\\s*(?:<[^()]*?>)?\\s*\\(");

    @Test
    void wideRecordsAreBuiltByNameOutsideTheirRoom() {
        assertEquals(
                List.of(),
                positionalWideRecords(sources),
                "give the record defaults and withers (TrainConfig.defaults().withSchedule(...)) and use them");
    }

    /**
     * "File builds Record by position" wherever a record of eight or more components is made with {@code new} outside
     * its own package (the numeric core's parameter records, as PyTorch's, excepted): such calls are where null, false
     * and 0 fillers hide what each value means.
     */
    static List<String> positionalWideRecords(Map<Path, String> files) {
        Map<String, String> wide = new LinkedHashMap<>(); // name as code outside its file writes it -> package
        for (Map.Entry<Path, String> e : files.entrySet()) {
            String code = codeOnly(e.getValue()),
                    file = e.getKey().getFileName().toString().replace(".java", "");
            Matcher m = RECORD.matcher(code);
            while (m.find()) {
                if (parameterCount(code.substring(m.end(), closing(code, m.end() - 1))) < 8) continue;
                String name = m.group(1);
                wide.put(name.equals(file) ? name : file + "." + name, packageOf(e.getKey()));
            }
        }
        List<String> offences = new ArrayList<>();
        for (Map.Entry<Path, String> e : files.entrySet()) {
            String pkg = packageOf(e.getKey()), code = codeOnly(e.getValue());
            if (NUMERIC_CORE.contains(pkg)) continue;
            for (Map.Entry<String, String> r : wide.entrySet()) {
                if (r.getValue().equals(pkg) || NUMERIC_CORE.contains(r.getValue())) continue;
                String name = Pattern.quote(r.getKey());
                if (Pattern.compile("new\\s+(?:\\w+\\.)*" + name + "\\s*\\(")
                        .matcher(code)
                        .find()) offences.add(e.getKey().getFileName() + " builds " + r.getKey() + " by position");
            }
        }
        return offences;
    }
}
