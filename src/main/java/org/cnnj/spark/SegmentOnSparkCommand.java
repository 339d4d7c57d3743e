package org.cnnj.spark;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.fiji.CnnjCommand;
import org.cnnj.model.BuiltInModels;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN-J › Segmentation › Segment on Spark…: a folder of images, a list of them, or one image too large for
 * one machine (OME-Zarr, or tiles placed by a stitching's TileConfiguration.txt), segmented on Apache Spark. Where this Fiji has Spark (its jars beside CNN-J's, and Java
 * started with Spark's --add-opens options) the job runs here, on local[*] or the master given; where it has not —
 * the usual case, as Fiji ships no Spark — the command writes to the Log the two lines that run the same job outside
 * Fiji: {@code ./cnnj spark …} on this machine, and {@code spark-submit …} on a cluster. Macro:
 * {@code run("Segment on Spark...", "model=[nuclei (built-in)] input=[/data/plate] output=[/data/out] master=local[*]");}
 * — for one view of a BigDataViewer file, {@code input=[/data/embryo.xml] dataset=/t00000/s01/0/cells}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN-J>Segmentation>Segment on Spark...", headless = true)
public class SegmentOnSparkCommand extends CnnjCommand {
    @Parameter(label = "Model (.onnx, or nuclei (built-in))", style = "open")
    private File model = new File(BuiltInModels.NUCLEI);

    @Parameter(
            label = "Input (folder, list .txt, one OME-Zarr or HDF5 image, or tiles)",
            description = "a folder of images or a list of them, each segmented whole; one image too large for one"
                    + " machine, segmented in blocks: an OME-Zarr image, an HDF5 file (BigDataViewer / BigStitcher,"
                    + " ilastik, h5py), or a folder of tiles with the TileConfiguration.txt (or .registered.txt) of"
                    + " Fiji's stitching")
    File input;

    @Parameter(
            label = "Dataset in an HDF5 file (blank: its only image)",
            description = "for an HDF5 file or BigDataViewer XML of several images: the one to segment, e.g."
                    + " /t00000/s00/0/cells (time point 0, view 0, full resolution) or /exported_data (ilastik);"
                    + " ignored for other inputs",
            required = false)
    String dataset = "";

    @Parameter(label = "Output folder", style = "directory")
    File output;

    @Parameter(
            label = "Master (local[*], spark://host:7077, yarn)",
            description = "where the job runs: local[*] uses this computer's cores; spark://host:7077 a standalone"
                    + " Spark cluster; yarn a Hadoop cluster")
    private String master = "local[*]";

    @Parameter(
            label = "Diameter (px, auto or none)",
            description = "auto: estimated (per image for a folder; once, on the centre, for one large image)")
    private String diameter = "auto";

    @Parameter(
            label = "Block size (px, for one large image; 0 = auto)",
            description = "the side of a block in xy; 0: 2048 px for a 2-D model, 256 px (and 64 slices) for a 3-D"
                    + " model on a volume",
            min = "0")
    private int block = 0;

    @Override
    protected String title() {
        return "Segment on Spark";
    }

    /** The arguments of {@code ./cnnj spark} for this job. */
    List<String> arguments() {
        boolean large = isLargeImage(input);
        List<String> a = new ArrayList<>(List.of(large ? "segment-blocks" : "segment"));
        a.addAll(List.of("--model", model.getPath(), "--input", input.getPath(), "--output", output.getPath()));
        a.addAll(List.of("--diameter", diameter));
        if (large && block > 0) a.addAll(List.of("--block", Integer.toString(block)));
        if (large && dataset != null && !dataset.isBlank()) a.addAll(List.of("--dataset", dataset.strip()));
        return a;
    }

    /**
     * One image to segment in blocks: an OME-Zarr image, an HDF5 file (or BigDataViewer's XML of one), or tiles with a
     * stitching configuration.
     */
    static boolean isLargeImage(File f) {
        String name = f.getName().toLowerCase(Locale.ROOT);
        return name.endsWith(".zarr")
                || name.endsWith(".h5")
                || name.endsWith(".hdf5")
                || bigDataViewerXml(f)
                || Files.exists(f.toPath().resolve(".zarray"))
                || Files.exists(f.toPath().resolve(".zattrs"))
                || TileMosaic.configuration(f.toPath()) != null;
    }

    private static boolean bigDataViewerXml(File f) {
        try {
            return Hdf5Source.ofXml(f.toPath()) != null;
        } catch (IOException e) {
            return false; // unreadable: the job names it
        }
    }

    @Override
    protected String work() throws IOException {
        if (input == null || output == null) throw new IllegalArgumentException("choose an input and an output folder");
        List<String> a = arguments();
        String why = SparkJvm.whyNotHere();
        if (why != null) {
            log.info("CNN-J Segment on Spark: " + why + ". The same job:");
            log.info("  on this computer:  ./cnnj spark " + quoted(a) + " --master '" + master + "'");
            log.info("  on a cluster:      spark-submit --master spark://HOST:7077 --class " + SparkMain.class.getName()
                    + " CNN-J_-" + version() + "-spark.jar " + quoted(a));
            log.info("  (the cluster jar: mvn package in CNN-J's sources makes target/CNN-J_-VERSION-spark.jar;"
                    + " see docs/spark.md)");
            return "Spark is not installed here: the lines that run this job are in the Log window";
        }
        long t0 = System.nanoTime();
        SparkBatch.Settings settings = new SparkBatch.Settings(master, 0, Map.of());
        List<String> rest = new ArrayList<>(a.subList(1, a.size()));
        if (a.get(0).equals("segment-blocks")) BlockSegmentation.run(rest, settings);
        else SparkBatch.run("segment", rest.toArray(String[]::new), settings);
        return String.format(
                Locale.ROOT,
                "segmented %s on Spark (%s) in %.1f s; results in %s",
                input.getName(),
                master,
                (System.nanoTime() - t0) / 1e9,
                output);
    }

    private static String version() {
        String v = SegmentOnSparkCommand.class.getPackage().getImplementationVersion();
        return v == null ? "VERSION" : v;
    }

    private static String quoted(List<String> a) {
        StringBuilder s = new StringBuilder();
        for (String x : a) s.append(s.length() > 0 ? " " : "").append(x.matches("[\\w./:=-]+") ? x : "'" + x + "'");
        return s.toString();
    }
}
