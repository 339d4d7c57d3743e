package org.cnnj.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cnnj.io.AtomicFiles;

/**
 * The tables of a whole run, beside the image folders: {@code images.csv}/{@code .parquet} (one row per image: done
 * or failed and why, objects, seconds, which run and executor) and {@code objects.csv}/{@code .parquet} (every row of
 * every image's own table — results.csv or detections.csv — with the image's name in front). The objects table is
 * read from the image folders by the executors, so it covers images done by an earlier run too, and a lost executor's
 * share is simply read again. Both formats are written without Spark SQL ({@link ParquetPart}), into hidden names
 * renamed into place when complete.
 */
final class RunTables {
    static final StructType IMAGES = new StructType(new StructField[] {
        field("image", DataTypes.StringType), field("folder", DataTypes.StringType),
        field("status", DataTypes.StringType), field("objects", DataTypes.IntegerType),
        field("seconds", DataTypes.DoubleType), field("run", DataTypes.StringType),
        field("executor", DataTypes.StringType), field("message", DataTypes.StringType)
    });

    private RunTables() {}

    static List<Path> write(JavaSparkContext sc, List<ImageRow> rows, Path out, String table) throws IOException {
        List<Path> written = new ArrayList<>();
        List<Row> images = new ArrayList<>();
        for (ImageRow r : rows)
            images.add(RowFactory.create(
                    r.image(), r.folder(), r.status(), r.objects(), r.seconds(), r.run(), r.executor(), r.message()));
        writeOnDriver(images, IMAGES, out.resolve("images.csv"), out.resolve("images.parquet"));
        written.add(out.resolve("images.csv"));
        written.add(out.resolve("images.parquet"));
        List<String> done = rows.stream()
                .filter(r -> r.status().equals(ImageRow.DONE))
                .map(r -> out.resolve(r.folder()).resolve(table).toString())
                .filter(f -> Files.isRegularFile(Path.of(f)))
                .toList();
        if (done.isEmpty()) return written;
        StructType schema = schema(Path.of(done.get(0)));
        JavaRDD<Row> objects = sc.parallelize(done, Math.max(1, Math.min(done.size(), sc.defaultParallelism() * 4)))
                .flatMap(new Reader(schema));
        writeTable(objects, schema, out.resolve("objects.csv"), out.resolve("objects.parquet"));
        written.add(out.resolve("objects.csv"));
        written.add(out.resolve("objects.parquet"));
        return written;
    }

    /**
     * {@code table} as one CSV file and a Parquet folder, in one pass over its rows: each partition writes its Parquet
     * part and a CSV part where it runs (so the rows are computed once and never gathered on the driver).
     */
    static void writeTable(JavaRDD<Row> table, StructType schema, Path csv, Path parquet) throws IOException {
        writeParts(schema, csv, parquet, writer -> {
            table.mapPartitionsWithIndex(writer, false).collect();
            return table.getNumPartitions();
        });
    }

    /** Rows already on the driver (one per image) as CSV and Parquet, written there as one part, with no Spark job. */
    private static void writeOnDriver(List<Row> rows, StructType schema, Path csv, Path parquet) throws IOException {
        writeParts(schema, csv, parquet, writer -> {
            writer.call(0, rows.iterator());
            return 1;
        });
    }

    /** Writes parts 0 … n − 1 with the {@link PartWriter} it is given, and returns n. */
    @FunctionalInterface
    private interface Parts {
        int write(PartWriter writer) throws IOException;
    }

    /**
     * The parts written into hidden folders; then the CSV parts joined in order behind the header (temp file, then
     * rename) and the Parquet folder swapped in, complete, by renames.
     */
    private static void writeParts(StructType schema, Path csv, Path parquet, Parts parts) throws IOException {
        Path folder = hidden(parquet, "tmp"), csvParts = hidden(csv, "parts");
        try {
            Files.createDirectories(folder);
            Files.createDirectories(csvParts);
            int n = parts.write(new PartWriter(schema, folder.toString(), csvParts.toString()));
            AtomicFiles.write(csv, o -> {
                o.write(header(schema));
                for (int i = 0; i < n; i++) Files.copy(csvParts.resolve(partName(i, "csv")), o);
            });
            swapIn(folder, parquet);
        } finally {
            AtomicFiles.deleteTree(csvParts);
            AtomicFiles.deleteTree(folder);
        }
    }

    /**
     * Writes one partition's rows as its Parquet part and, as the rows go by, its CSV part (each under a hidden name,
     * then renamed: a retried or speculative attempt replaces the part with the same rows).
     */
    record PartWriter(StructType schema, String parquetFolder, String csvFolder)
            implements Function2<Integer, Iterator<Row>, Iterator<Void>>, Serializable {
        @Override
        public Iterator<Void> call(Integer index, Iterator<Row> rows) throws IOException {
            AtomicFiles.write(Path.of(csvFolder, partName(index, "csv")), o -> {
                StringBuilder line = new StringBuilder();
                Iterator<Row> tee = new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return rows.hasNext();
                    }

                    @Override
                    public Row next() {
                        Row r = rows.next();
                        try {
                            o.write(csvLine(r, line));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return r;
                    }
                };
                ParquetPart.write(schema, tee, Path.of(parquetFolder, partName(index, "snappy.parquet")));
            });
            return Collections.emptyIterator();
        }
    }

    private static String partName(int index, String extension) {
        return String.format(Locale.ROOT, "part-%05d.%s", index, extension);
    }

    private static Path hidden(Path target, String what) {
        return target.resolveSibling("." + target.getFileName() + "." + what + "-" + System.nanoTime());
    }

    private static byte[] header(StructType schema) {
        return (String.join(",", schema.fieldNames()) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] csvLine(Row r, StringBuilder line) {
        line.setLength(0);
        for (int i = 0; i < r.size(); i++) {
            if (i > 0) line.append(',');
            line.append(Csv.quote(r.isNullAt(i) ? "" : String.valueOf(r.get(i))));
        }
        return line.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** "image", then the first table's columns: whole numbers as long, other numbers as double, the rest as text. */
    static StructType schema(Path firstTable) throws IOException {
        List<String> lines = Files.readAllLines(firstTable);
        List<String> header = Csv.split(lines.get(0)), first = lines.size() > 1 ? Csv.split(lines.get(1)) : List.of();
        List<StructField> fields = new ArrayList<>(List.of(field("image", DataTypes.StringType)));
        for (int i = 0; i < header.size(); i++) {
            String v = i < first.size() ? first.get(i) : "";
            DataType t = v.matches("-?[0-9]+")
                    ? DataTypes.LongType
                    : v.matches("-?[0-9.]+([eE][-+]?[0-9]+)?|NaN") ? DataTypes.DoubleType : DataTypes.StringType;
            fields.add(field(header.get(i).replaceAll("[^A-Za-z0-9_]", "_"), t));
        }
        return new StructType(fields.toArray(StructField[]::new));
    }

    /** An image folder's table as rows of the run's schema (by column name; a column it lacks is null). */
    record Reader(StructType schema) implements FlatMapFunction<String, Row>, Serializable {
        @Override
        public Iterator<Row> call(String table) throws IOException {
            Path file = Path.of(table);
            List<String> lines = Files.readAllLines(file);
            List<String> header = new ArrayList<>();
            for (String h : Csv.split(lines.get(0))) header.add(h.replaceAll("[^A-Za-z0-9_]", "_"));
            String image = file.getParent().getFileName().toString();
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                List<String> cells = Csv.split(line);
                Object[] values = new Object[schema.size()];
                values[0] = image;
                for (int c = 1; c < values.length; c++) {
                    int at = header.indexOf(schema.fields()[c].name());
                    values[c] =
                            at < 0 || at >= cells.size() ? null : value(cells.get(at), schema.fields()[c].dataType());
                }
                rows.add(RowFactory.create(values));
            }
            return rows.iterator();
        }

        private static Object value(String s, DataType t) {
            try {
                if (t == DataTypes.LongType) return Long.parseLong(s);
                if (t == DataTypes.DoubleType) return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
            return s;
        }
    }

    /**
     * A complete Parquet folder (marked as Spark marks one, without the hidden temporary files of attempts that were
     * killed) swapped in for the old table, if any, by renames.
     */
    private static void swapIn(Path folder, Path target) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) if (f.getFileName().toString().startsWith(".")) Files.deleteIfExists(f);
        }
        Files.createFile(folder.resolve("_SUCCESS"));
        Path old = hidden(target, "old");
        if (Files.exists(target)) Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(old);
    }

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }
}
