package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cnnj.testing.ChildProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./cnnj install into a fresh plain ImageJ folder, then ImageJ started from that folder (under Xvfb)
 * runs Segment Image... through a macro; uninstall leaves the folder as it was. Runs after package
 * (failsafe), with the built jar.
 */
class InstallIT {
    @TempDir
    Path dir;

    private static Path ijJar() throws IOException {
        try (Stream<Path> libs = Files.list(Path.of("target/lib"))) {
            return libs.filter(p -> p.getFileName().toString().startsWith("ij-"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static TreeMap<String, Long> listing(Path root) throws IOException {
        TreeMap<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList())
                out.put(
                        root.relativize(p) + (Files.isDirectory(p) ? "/" : ""),
                        Files.isDirectory(p) ? 0 : Files.size(p));
        }
        return out;
    }

    @Test
    void installRunUninstall() throws Exception {
        boolean display = System.getenv("DISPLAY") != null || Files.isExecutable(Path.of("/usr/bin/xvfb-run"));
        Assumptions.assumeTrue(
                display,
                "no display and no xvfb-run: plain ImageJ 1 cannot run plugin commands (apt-get install xvfb)");
        Path ij = Files.createDirectories(dir.resolve("ImageJ"));
        Files.createDirectories(ij.resolve("plugins"));
        Files.copy(ijJar(), ij.resolve("ij.jar"));
        TreeMap<String, Long> before = listing(ij);

        assertEquals(0, InstallCommand.install(new String[] {ij.toString()}));
        assertTrue(Files.exists(ij.resolve("plugins/jars/onnxruntime-1.29.0.jar"))
                && Files.exists(ij.resolve(InstallCommand.MANIFEST)));
        try (Stream<Path> s = Files.list(ij.resolve("plugins"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("CNN-J_-.*\\.jar")), "our jar in plugins/");
        }
        var again = assertThrows(
                IllegalArgumentException.class, () -> InstallCommand.install(new String[] {ij.toString()}));
        assertTrue(again.getMessage().contains("installed already"), again.getMessage());

        Path out = dir.resolve("out"), macro = dir.resolve("seg.ijm");
        Files.writeString(
                macro,
                "open(\"" + Path.of("test-images/nuclei-1.tif").toAbsolutePath() + "\");\n"
                        + "run(\"Segment Image...\", \"model=[nuclei (built-in)] device=cpu output=[" + out
                        + "]\");\n");
        List<String> cmd = new ArrayList<>(System.getenv("DISPLAY") != null ? List.of() : List.of("xvfb-run", "-a"));
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                ij.resolve("ij.jar").toString(),
                "-ijpath",
                ij.toString(),
                "-batch",
                macro.toString()));
        ChildProcess.Run run = ChildProcess.run(cmd, ij, 180);
        assertTrue(run.finished(), "ImageJ did not finish: " + run.output());
        assertTrue(
                Files.exists(out.resolve("labels.tif"))
                        && Files.readAllLines(out.resolve("results.csv")).size() > 100,
                run.output());

        assertEquals(0, InstallCommand.uninstall(new String[] {ij.toString()}));
        TreeMap<String, Long> after = listing(ij);
        after.keySet()
                .removeIf(k -> k.startsWith("IJ_Prefs")
                        || k.startsWith("plugins/.")); // ImageJ's own preferences file, if it wrote one here
        assertEquals(before, after, "the folder is as it was");
    }

    @Test
    void anOlderLibraryInTheFolderIsAClashThatIsNamed() throws Exception {
        Path ij = Files.createDirectories(dir.resolve("Old"));
        Files.createDirectories(ij.resolve("plugins/jars"));
        Files.copy(ijJar(), ij.resolve("ij.jar"));
        Files.writeString(ij.resolve("plugins/jars/gson-2.8.0.jar"), "");
        var e = assertThrows(
                IllegalArgumentException.class, () -> InstallCommand.install(new String[] {ij.toString()}));
        assertTrue(
                e.getMessage().contains("plugins/jars/gson-2.8.0.jar is older than the gson-2.10.1.jar"),
                e.getMessage());
        assertTrue(Files.notExists(ij.resolve(InstallCommand.MANIFEST)), "nothing copied");
        assertEquals(2, InstallCommand.compareVersions("2.100.1", "2.99.0") > 0 ? 2 : 0);
        assertEquals("scijava-common", InstallCommand.artifact("scijava-common-2.100.1.jar"));
    }
}
