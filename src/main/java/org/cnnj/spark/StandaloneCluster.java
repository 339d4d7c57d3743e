package org.cnnj.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on this machine, on 127.0.0.1 only: one master and N workers, each its own JVM started
 * from a Spark home (its jars folder), as {@code sbin/start-master.sh} and {@code start-worker.sh} would. For the
 * benchmark and the tests, which submit jobs to it the way a user submits to a real cluster, and kill a worker in
 * the middle of one. Logs go to {@code dir}/*.log.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final int port, webPort;
    private final Path dir;

    private StandaloneCluster(Process master, int port, int webPort, Path dir) {
        this.master = master;
        this.port = port;
        this.webPort = webPort;
        this.dir = dir;
    }

    /** Starts a master and {@code workers} workers of {@code cores} cores and {@code memory} ("2g") each, and waits for them. */
    public static StandaloneCluster start(Path sparkHome, Path dir, int workers, int cores, String memory)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort(), webPort = freePort();
        Process master = java(
                sparkHome,
                dir.resolve("master.log"),
                // The default worker timeout (60 s): a shorter one took busy workers on 2 cores for lost ones, and
                // their executors were shut down in the middle of images. A killed worker's executor is noticed at
                // once anyway (its connection to the driver drops).
                List.of(),
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--webui-port",
                Integer.toString(webPort));
        StandaloneCluster c = new StandaloneCluster(master, port, webPort, dir);
        try {
            for (int i = 0; i < workers; i++) {
                Path work = dir.resolve("worker-" + i);
                Files.createDirectories(work);
                c.workers.add(java(
                        sparkHome,
                        dir.resolve("worker-" + i + ".log"),
                        List.of(),
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        Integer.toString(cores),
                        "--memory",
                        memory,
                        "--work-dir",
                        work.toString(),
                        "--webui-port",
                        Integer.toString(freePort()),
                        c.url()));
            }
            c.awaitWorkers(workers);
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The master's URL, spark://127.0.0.1:PORT. */
    public String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** Kills worker {@code i} at once (SIGKILL), as a crashed machine; its executor follows it. */
    public void killWorker(int i) {
        workers.get(i).destroyForcibly();
    }

    /** How many workers the master counts as alive (from its web UI's JSON). */
    public int aliveWorkers() {
        try (InputStream in =
                URI.create("http://127.0.0.1:" + webPort + "/json/").toURL().openStream()) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String n = json.replaceAll("(?s).*\"aliveworkers\"\\s*:\\s*([0-9]+).*", "$1");
            return n.matches("[0-9]+") ? Integer.parseInt(n) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void awaitWorkers(int n) throws IOException, InterruptedException {
        long end = System.nanoTime() + 120_000_000_000L;
        while (aliveWorkers() < n) {
            if (System.nanoTime() > end || !master.isAlive())
                throw new IOException("the standalone cluster did not start: see the logs in " + dir);
            Thread.sleep(300);
        }
    }

    @Override
    public void close() {
        for (Process w : workers) w.destroyForcibly();
        master.destroyForcibly();
        // Executors are the workers' children; they end with their worker, but do not wait on them.
        for (Process w : workers) w.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** A JVM with Spark's jars and the module openings Spark needs on Java 17, logging to {@code log}. */
    static Process java(Path sparkHome, Path log, List<String> jvm, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                sparkHome.resolve("jars").toAbsolutePath() + "/*",
                "-Xmx512m"));
        cmd.addAll(SparkJvm.OPENS);
        cmd.addAll(jvm);
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = b.environment();
        env.put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.12");
        env.put("ORT_DISABLE_TELEMETRY", "1"); // executors inherit their worker's environment
        return b.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A Spark home: {@code target/spark} of a build (its jars folder), or $SPARK_HOME. */
    public static Path sparkHome() throws IOException {
        String env = System.getenv("SPARK_HOME");
        for (Path p : new Path[] {env == null ? null : Path.of(env), Path.of("target/spark")})
            if (p != null && Files.isDirectory(p.resolve("jars"))) {
                try (Stream<Path> s = Files.list(p.resolve("jars"))) {
                    if (s.anyMatch(f -> f.getFileName().toString().startsWith("spark-core"))) return p;
                }
            }
        throw new IOException("no Spark home: build with mvn package (it makes target/spark/jars) or set SPARK_HOME");
    }
}
