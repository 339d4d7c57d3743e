package org.cnnj.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cnnj.io.AtomicFiles;

/**
 * One Parquet file of table rows, written with the Parquet library Spark itself writes with, but without Spark SQL:
 * on a fresh cluster the SQL writer's first job (query planning, generated code compiled in every executor) took
 * about 10 s of a 60–150 s run for tables of a few thousand rows. The file is what Spark writes for the same schema
 * (nullable string, int, long and double columns, Snappy) and reads back as such. Written under a temporary name and
 * renamed ({@link AtomicFiles}), so a retried task replaces its part whole and a killed one leaves no part.
 */
final class ParquetPart {
    private ParquetPart() {}

    /** Writes {@code rows} of {@code schema} to {@code file} (temp file, then rename). */
    static void write(StructType schema, Iterator<Row> rows, Path file) throws IOException {
        MessageType type = messageType(schema);
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        AtomicFiles.write(file, out -> {
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new StreamFile(out, file))
                    .withType(type)
                    .withConf(new Configuration(false))
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build()) {
                while (rows.hasNext()) writer.write(group(groups.newGroup(), schema, rows.next()));
            }
        });
    }

    /** Spark's column types as Parquet's: optional, strings as UTF-8 binary. */
    static MessageType messageType(StructType schema) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (StructField f : schema.fields()) {
            DataType t = f.dataType();
            if (t == DataTypes.StringType)
                b.optional(PrimitiveTypeName.BINARY)
                        .as(LogicalTypeAnnotation.stringType())
                        .named(f.name());
            else if (t == DataTypes.IntegerType)
                b.optional(PrimitiveTypeName.INT32).named(f.name());
            else if (t == DataTypes.LongType)
                b.optional(PrimitiveTypeName.INT64).named(f.name());
            else if (t == DataTypes.DoubleType)
                b.optional(PrimitiveTypeName.DOUBLE).named(f.name());
            else throw new IllegalArgumentException("table column " + f.name() + ": no Parquet type for " + t);
        }
        return b.named("spark_schema");
    }

    private static Group group(Group g, StructType schema, Row r) {
        for (int i = 0; i < r.size(); i++) {
            if (r.isNullAt(i)) continue;
            String name = schema.fields()[i].name();
            Object v = r.get(i);
            if (v instanceof String s) g.append(name, s);
            else if (v instanceof Integer n) g.append(name, n);
            else if (v instanceof Long n) g.append(name, n);
            else if (v instanceof Double d) g.append(name, d);
            else throw new IllegalArgumentException("table column " + name + ": " + v.getClass());
        }
        return g;
    }

    /** The stream of a file being written, as Parquet's output file (no Hadoop file system: no .crc files). */
    private record StreamFile(OutputStream out, Path path) implements OutputFile {
        @Override
        public PositionOutputStream create(long blockSize) {
            return new PositionOutputStream() {
                private long pos;

                @Override
                public long getPos() {
                    return pos;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    pos++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    pos += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.flush(); // AtomicFiles closes the file, then renames it
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSize) {
            return create(blockSize);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return path.toString();
        }
    }
}
