package org.cnnj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The training/inference core must run without ImageJ: only the integration layer may import it. */
class ArchitectureTest {
    /** Packages that make up the ImageJ-free core. */
    private static final List<String> CORE = List.of("tensor", "kernel", "ops", "loss", "nn", "optim", "io", "util", "bench", "train", "onnx", "infer", "data", "eval", "detect", "seg");
    private static final Pattern UI_IMPORT = Pattern.compile("^import\\s+(static\\s+)?(ij|net\\.imagej|org\\.scijava|net\\.imglib2|java\\.awt|javax\\.swing)\\.", Pattern.MULTILINE);

    @Test
    void coreHasNoImageJSciJavaOrAwtImports() throws IOException {
        Path root = Path.of("src/main/java/org/cnnj");
        List<String> offenders;
        int checked;
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> core = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> CORE.contains(root.relativize(p).getName(0).toString()))
                    .collect(Collectors.toList());
            checked = core.size();
            offenders = core.stream().filter(p -> {
                try {
                    return UI_IMPORT.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).map(Path::toString).collect(Collectors.toList());
        }
        assertTrue(checked > 30, "expected to scan the core sources, found " + checked);
        assertEquals(List.of(), offenders, "core files importing ImageJ/SciJava/ImgLib2/AWT");
    }
}
