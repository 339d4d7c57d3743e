package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.cnnj.cli.FileCommands;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.FolderLock;
import org.cnnj.io.ImageFiles;

/**
 * A per-file command ({@code segment}, {@code detect}) over many images on Spark: the driver lists the images, checks
 * the options, the output folder and (on a cluster) the executors' memory before anything starts, splits the images
 * into many small partitions (so a slow image holds up only its own few), lets each executor open the model once, and
 * ends with one table for the whole run. Every image gets the same folder of outputs as {@code ./cnnj segment}
 * writes; a run started again skips the images already done.
 */
final class SparkBatch {
    private static final AtomicInteger RUNS = new AtomicInteger(); // runs started by this JVM

    /** Where and how to run: the master URL, partitions (0: chosen), and further Spark settings. */
    record Settings(String master, int partitions, Map<String, String> conf) {
        static final Settings LOCAL = new Settings("local[*]", 0, Map.of());

        Settings withMaster(String m) {
            return new Settings(m, partitions, conf);
        }

        /**
         * The Spark settings of a run: these, local[*] unless a master is given (here or by spark-submit), loopback
         * only in local mode, no ONNX Runtime telemetry on executors, and on a cluster the cluster jar for the
         * executors (spark-submit sets it already).
         */
        SparkConf conf(String app) throws IOException {
            SparkConf c = new SparkConf().setAppName(app);
            if (master != null) c.setMaster(master);
            c.setIfMissing("spark.master", "local[*]");
            conf.forEach(c::set);
            c.setIfMissing("spark.executorEnv.ORT_DISABLE_TELEMETRY", "1"); // see OrtEngine.environment
            if (c.get("spark.master").startsWith("local")) { // nothing to reach but this JVM: stay on loopback
                c.setIfMissing("spark.driver.host", "127.0.0.1");
                c.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            } else if (!c.contains("spark.jars"))
                c.set("spark.jars", SparkJvm.clusterJar().toString());
            return c;
        }
    }

    /** What a run did: a row per image, and the tables written. */
    record Outcome(List<ImageRow> rows, List<Path> tables) {
        long failed() {
            return rows.stream().filter(r -> r.status().equals(ImageRow.FAILED)).count();
        }
    }

    private SparkBatch() {}

    static Outcome run(String command, String[] args, Settings settings) throws IOException {
        quietLogging();
        FileCommands.Parsed p = FileCommands.parse(command, args);
        List<Path> images = ImageList.of(inputArgument(args));
        Path out = p.output().toAbsolutePath().normalize();
        try (FolderLock lock = FolderLock.of(out, "spark-" + command)) {
            prepare(out, images);
            SparkConf conf = settings.conf("CNN-J " + command + " -> " + out);
            String master = conf.get("spark.master");
            int slots = slots(conf);
            if (!master.startsWith("local")) ExecutorMemory.check(p, conf, slots);
            // Time, process and a count of this JVM's runs: two runs started within one second (a script's restart)
            // must not take each other's rows for their own.
            String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + "-"
                    + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
            ImageJob job = new ImageJob(command, args, out.toString(), run, slots);
            List<String> paths = images.stream().map(Path::toString).toList();
            // A bare SparkContext: no Spark SQL runs on this path (the tables are written by RunTables' own parts).
            try (JavaSparkContext sc = new JavaSparkContext(SparkContext.getOrCreate(conf))) {
                sc.setLogLevel("WARN");
                int partitions = settings.partitions() > 0
                        ? settings.partitions()
                        : partitions(paths.size(), sc.defaultParallelism());
                System.out.println(
                        "spark " + command + ": " + paths.size() + " images in " + partitions + " partitions on "
                                + master + " ("
                                + (slots > 0 ? slots + " images at a time" : "as many images at a time as cores")
                                + " per executor)");
                SparkListener progress = progress(partitions);
                sc.sc().addSparkListener(progress);
                List<ImageRow> rows =
                        sc.parallelize(paths, partitions).map(job::process).collect();
                sc.sc().removeSparkListener(progress);
                List<Path> tables = RunTables.write(sc, rows, out, p.table());
                Outcome o = new Outcome(rows, tables);
                System.out.println(summary(command, o, run, out));
                return o;
            }
        }
    }

    /** The raw --input value (a glob or list is not a path the command's own parser keeps as given). */
    private static String inputArgument(String[] args) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals("--input")) return args[i + 1];
        for (String a : args) if (a.startsWith("--input=")) return a.substring("--input=".length());
        throw new IllegalArgumentException("give --input: a folder of images, a list file (.txt) or a glob");
    }

    /**
     * Sweeps partial folders a killed run left, and refuses an output folder whose image folders were written by
     * something else (a restart must not take a stranger's folder for a finished image).
     */
    private static void prepare(Path out, List<Path> images) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            for (Path f : s.toList())
                if (f.getFileName().toString().startsWith(ImageJob.PARTIAL)) AtomicFiles.deleteTree(f);
        }
        List<String> foreign = new ArrayList<>();
        for (Path image : images) {
            Path dir = out.resolve(ImageFiles.baseName(image));
            if (Files.isDirectory(dir) && !Files.exists(dir.resolve(ImageJob.MARKER)) && !isEmpty(dir))
                foreign.add(dir.toString());
        }
        if (!foreign.isEmpty())
            throw new IOException(foreign.size() + " folders in " + out + " were not written by a Spark run (e.g. "
                    + foreign.get(0) + "); choose a new --output, or remove them");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /**
     * Images side by side per executor (one model each, one thread each): local[N]'s N (local[*]: this machine's
     * cores), else spark.executor.cores / spark.task.cpus, else 0 (each executor counts its machine's cores).
     */
    static int slots(SparkConf conf) {
        String master = conf.get("spark.master");
        if (master.startsWith("local")) {
            if (master.equals("local")) return 1;
            String n = master.replaceAll("^local\\[([0-9*]+).*", "$1");
            return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }
        return conf.getInt("spark.executor.cores", 0) / conf.getInt("spark.task.cpus", 1);
    }

    /** Many small partitions (about 20 images, at least 4 per core): slow images are spread, and tasks stay cheap. */
    static int partitions(int images, int parallelism) {
        return Math.max(1, Math.min(images, Math.max(4 * parallelism, (images + 19) / 20)));
    }

    /**
     * Spark's warnings and errors only, on standard error: its INFO lines would bury the job's own. (A configuration of
     * our own, set before Spark starts, is one Spark keeps instead of its defaults.)
     */
    static void quietLogging() {
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.add(b.newAppender("stderr", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", "spark %p %c{1}: %m%n")));
        b.add(b.newRootLogger(Level.WARN).add(b.newAppenderRef("stderr")));
        // Hadoop's "no native library for your platform" says nothing about this job.
        b.add(b.newLogger("org.apache.hadoop.util.NativeCodeLoader", Level.ERROR));
        Configurator.reconfigure(b.build());
    }

    /** Prints "N/M partitions done" at every tenth of the job. */
    private static SparkListener progress(int partitions) {
        AtomicInteger done = new AtomicInteger();
        int every = Math.max(1, partitions / 10);
        return new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (!e.taskInfo().successful()) return;
                int d = done.incrementAndGet();
                if (d % every == 0 || d == partitions)
                    System.out.println("spark: " + Math.min(d, partitions) + "/" + partitions + " partitions done");
            }
        };
    }

    static String summary(String command, Outcome o, String run, Path out) {
        List<String> failures = new ArrayList<>();
        long done = 0, earlier = 0, objects = 0;
        for (ImageRow r : o.rows()) {
            if (r.status().equals(ImageRow.FAILED))
                failures.add(Path.of(r.image()).getFileName() + " (" + r.message() + ")");
            else {
                done++;
                objects += r.objects();
                if (!r.run().equals(run)) earlier++;
            }
        }
        StringBuilder s = new StringBuilder("spark " + command + ": " + done + " done");
        if (earlier > 0) s.append(" (").append(earlier).append(" by an earlier run, skipped)");
        s.append(", ").append(objects).append(" objects");
        if (!failures.isEmpty())
            s.append("; ").append(failures.size()).append(" failed: ").append(String.join("; ", failures));
        s.append("\ntables: ");
        s.append(String.join(
                ", ", o.tables().stream().map(t -> out.relativize(t).toString()).toList()));
        s.append(" in ").append(out);
        return s.toString();
    }
}
