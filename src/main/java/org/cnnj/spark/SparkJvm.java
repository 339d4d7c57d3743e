package org.cnnj.spark;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What a JVM that runs Spark 3.5 on Java 17 needs, and where the cluster jar is. */
public final class SparkJvm {
    /** The module openings Spark 3.5 needs on Java 17 (the same its launcher adds to spark-submit's JVMs). */
    public static final List<String> OPENS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false");

    private SparkJvm() {}

    /**
     * Why Spark cannot run in this JVM (null when it can): its classes absent (Fiji ships none), or Java started
     * without the openings Spark needs.
     */
    public static String whyNotHere() {
        try {
            Class.forName("org.apache.spark.SparkContext", false, SparkJvm.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "Spark is not installed in this ImageJ or Fiji";
        }
        if (!Object.class.getModule().isOpen("sun.nio.ch", SparkJvm.class.getModule()))
            return "Java was started without the options Spark needs (" + String.join(" ", OPENS.subList(0, 2))
                    + " …; docs/spark.md lists them)";
        return null;
    }

    /** The cluster jar (CNN-J_-VERSION-spark.jar) this code runs from, or the one a build left in target/. */
    public static Path clusterJar() throws IOException {
        Path self = Path.of(location());
        if (self.getFileName().toString().endsWith("-spark.jar")) return self;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("CNN-J_-.*-spark\\.jar"))
                    .findFirst()
                    .orElseThrow(() ->
                            new IOException("no cluster jar: build it with mvn package (target/CNN-J_-*-spark.jar)"));
        } catch (NoSuchFileException e) {
            throw new IOException("no cluster jar: build it with mvn package (target/CNN-J_-*-spark.jar)");
        }
    }

    private static String location() {
        try {
            return Path.of(SparkJvm.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "";
        }
    }
}
