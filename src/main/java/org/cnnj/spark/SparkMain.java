package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./cnnj spark segment|detect|classify [--master local[*]|spark://HOST:7077|yarn|k8s://…] [--partitions N]
 * [--conf key=value]… --input DIR|LIST.txt|GLOB --output DIR [the command's own options]}, and {@code ./cnnj spark
 * bench}. The main class of the cluster jar too: {@code spark-submit --class org.cnnj.spark.SparkMain
 * CNN-J_-VERSION-spark.jar segment …} (spark-submit's --master then rules). Errors are one line and exit code 2.
 */
public final class SparkMain {
    static final String USAGE = String.join(
            "\n",
            "usage: ./cnnj spark segment|detect|classify --input DIR|LIST.txt|'GLOB' --output DIR --model M [options]",
            "       ./cnnj spark segment-blocks --model M --input IMAGE.zarr|IMAGE.h5|TILES/ --output DIR [--block 2048]",
            "            [--margin auto] [--diameter auto|PX] [--chunk 1024] [--tile N] [--threads N]",
            "            3-D model on an OME-Zarr or HDF5 volume (z, y, x) or a folder of TIFF planes (one per z):",
            "            [--block 256] [--block-z 64] [--chunk 256]",
            "            [--chunk-z 32] [--voxel Z,Y,X when the image states no scale]",
            "            an HDF5 file of several images (BigDataViewer: views, time points, levels): [--dataset /t00000/s00/0/cells]",
            "       ./cnnj spark bench [--images N] [--size PX] [--input DIR] [--no-cluster]",
            "       ./cnnj spark bench --blocks SIDE | --volume-blocks SIDE [--depth D]   (whole against blocks)",
            "  the options of ./cnnj segment, detect or classify, plus:",
            "    --master local[*]        where to run: local[N] (this machine, N cores), spark://HOST:7077 (a standalone",
            "                             cluster), yarn, k8s://… (give the cluster jar with --conf spark.jars=…)",
            "    --partitions (chosen)    how many pieces the images are split into (about 20 images each, at least 4",
            "                             per core)",
            "    --conf key=value         any Spark setting, e.g. --conf spark.executor.memory=4g",
            "  segment-blocks: one OME-Zarr image (NGFF 0.4; blosc, zlib or gzip chunks), an HDF5 file (BigDataViewer /",
            "  BigStitcher's full resolution with the voxel size of its XML, ilastik, h5py; read chunk by chunk), or a",
            "  folder of tiles placed by Fiji's stitching (TileConfiguration.txt or .registered.txt), in blocks:",
            "  DIR/labels.zarr (uint32 OME-Zarr labels, objects linked across blocks) and DIR/objects.csv/.parquet;",
            "  with a 3-D model (sidecar instances-3d) a volume in 3-D blocks, 3-D objects linked across block faces.",
            "  Outputs: one folder per image as ./cnnj segment writes it, and images.csv/.parquet and",
            "  objects.csv/.parquet for the whole run. Started again, a run skips the images already done.",
            "  On a cluster the input and output must be on a file system every executor sees (NFS, Lustre, GPFS).");

    private SparkMain() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (NoSuchFileException e) {
            System.err.println("cnnj spark: no such file or folder: " + e.getMessage());
            code = 2;
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("cnnj spark: " + e.getMessage());
            code = 2;
        } catch (Exception | Error e) {
            System.err.println("cnnj spark: unexpected error: " + e);
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args) throws IOException {
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            System.out.println(USAGE);
            return 0;
        }
        String command = args[0];
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.println(USAGE);
            return 0;
        }
        if (command.equals("bench")) return SparkBench.run(rest.toArray(String[]::new));
        String master = take(rest, "--master");
        String partitions = take(rest, "--partitions");
        Map<String, String> conf = new LinkedHashMap<>();
        for (String c; (c = take(rest, "--conf")) != null; ) {
            int eq = c.indexOf('=');
            if (eq <= 0)
                throw new IllegalArgumentException(
                        "--conf " + c + ": give key=value, e.g. --conf spark.executor.memory=4g");
            conf.put(c.substring(0, eq), c.substring(eq + 1));
        }
        int n;
        try {
            n = partitions == null ? 0 : Integer.parseInt(partitions);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--partitions " + partitions + ": give a whole number");
        }
        SparkBatch.Settings settings = new SparkBatch.Settings(master, n, conf);
        if (command.equals("segment-blocks")) {
            BlockSegmentation.run(rest, settings);
            return 0;
        }
        SparkBatch.Outcome o = SparkBatch.run(command, rest.toArray(String[]::new), settings);
        return o.failed() == 0 ? 0 : 2;
    }

    /** Removes {@code --name value} (or --name=value) from {@code args} and returns the value, or null when absent. */
    private static String take(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith(name + "=")) {
                args.remove(i);
                return a.substring(name.length() + 1);
            }
            if (a.equals(name)) {
                if (i + 1 >= args.size()) throw new IllegalArgumentException(name + " needs a value");
                args.remove(i);
                return args.remove(i);
            }
        }
        return null;
    }
}
