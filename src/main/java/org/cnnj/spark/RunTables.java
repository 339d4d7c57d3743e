package org.cnnj.spark;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
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
 * share is simply read again. CSV is written on the driver (temp file, then rename); Parquet by Spark into a hidden
 * folder, renamed into place when complete.
 */
final class RunTables {
    static final StructType IMAGES = new StructType(new StructField[] {
        field("image", DataTypes.StringType), field("folder", DataTypes.StringType),
        field("status", DataTypes.StringType), field("objects", DataTypes.IntegerType),
        field("seconds", DataTypes.DoubleType), field("run", DataTypes.StringType),
        field("executor", DataTypes.StringType), field("message", DataTypes.StringType)
    });

    private RunTables() {}

    static List<Path> write(SparkSession spark, List<ImageRow> rows, Path out, String table) throws IOException {
        List<Path> written = new ArrayList<>();
        List<Row> images = new ArrayList<>();
        for (ImageRow r : rows)
            images.add(RowFactory.create(
                    r.image(), r.folder(), r.status(), r.objects(), r.seconds(), r.run(), r.executor(), r.message()));
        Dataset<Row> imageTable = spark.createDataFrame(images, IMAGES);
        written.add(csv(imageTable.toLocalIterator(), IMAGES, out.resolve("images.csv")));
        written.add(parquet(imageTable, out.resolve("images.parquet")));
        List<String> done = rows.stream()
                .filter(r -> r.status().equals(ImageRow.DONE))
                .map(r -> out.resolve(r.folder()).resolve(table).toString())
                .filter(f -> Files.isRegularFile(Path.of(f)))
                .toList();
        if (done.isEmpty()) return written;
        StructType schema = schema(Path.of(done.get(0)));
        JavaRDD<Row> objects = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(
                        done,
                        Math.max(1, Math.min(done.size(), spark.sparkContext().defaultParallelism() * 4)))
                .flatMap(new Reader(schema));
        Dataset<Row> objectTable = spark.createDataFrame(objects, schema);
        written.add(csv(objectTable.toLocalIterator(), schema, out.resolve("objects.csv")));
        written.add(parquet(objectTable, out.resolve("objects.parquet")));
        return written;
    }

    /** {@code table} as CSV (written on the driver) and as Parquet. */
    static void writeTable(Dataset<Row> table, StructType schema, Path csv, Path parquet) throws IOException {
        csv(table.toLocalIterator(), schema, csv);
        parquet(table, parquet);
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

    private static Path csv(Iterator<Row> rows, StructType schema, Path file) throws IOException {
        AtomicFiles.write(file, o -> {
            Writer w = new OutputStreamWriter(o, StandardCharsets.UTF_8);
            w.write(String.join(",", schema.fieldNames()) + "\n");
            StringBuilder line = new StringBuilder();
            while (rows.hasNext()) {
                Row r = rows.next();
                line.setLength(0);
                for (int i = 0; i < r.size(); i++) {
                    if (i > 0) line.append(',');
                    line.append(Csv.quote(r.isNullAt(i) ? "" : String.valueOf(r.get(i))));
                }
                w.write(line.append('\n').toString());
            }
            w.flush();
        });
        return file;
    }

    /** Written by Spark into a hidden folder, then swapped in for the old table (if any) by renames. */
    private static Path parquet(Dataset<Row> table, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + System.nanoTime());
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
        table.write().parquet(tmp.toUri().toString());
        if (Files.exists(target)) Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(old);
        return target;
    }

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }
}
