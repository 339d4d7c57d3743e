package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.ij.ClassifyFiles;
import org.cnnj.ij.DetectFiles;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.io.Batch;

/**
 * The per-file commands ({@code segment}, {@code detect}, {@code classify}) as something another runner can drive: their options
 * parsed and checked exactly as the command line does, where their images are, where results go, and how to open the
 * model once for many files. The Spark room runs them this way, so a job on a cluster takes the same options and
 * writes the same per-image outputs as {@code ./cnnj segment}.
 */
public final class FileCommands {
    /** The commands that can be run this way. */
    public static final List<String> NAMES = List.of("segment", "detect", "classify");

    private static final Map<String, String> TABLE =
            Map.of("segment", "results.csv", "detect", "detections.csv", "classify", "classes.csv");

    private FileCommands() {}

    /** Opens a command's model for many files; {@code threads} is used where the user gave none (0: all cores). */
    @FunctionalInterface
    public interface Opener {
        Batch.Worker open(int threads, Consumer<String> log) throws IOException;
    }

    /**
     * A command's parsed options: its images, its output folder, its model, how to open it, and the per-image table
     * (CSV, one row per object) it writes into each image's folder.
     */
    public record Parsed(String name, Path input, Path output, Path model, String table, Opener opener) {}

    /** Parses {@code args} as command {@code name} would; bad options fail here with the command's own message. */
    public static Parsed parse(String name, String[] args) {
        return switch (name) {
            case "segment" -> {
                SegmentFiles.Options o = SegmentCommand.options(args);
                if (SegmentCommand.isVolume(o)) { // z-stacks with a 3-D model: each stack is one work item
                    double[] voxel = SegmentCommand.voxel(args);
                    yield parsed(
                            name,
                            o.input(),
                            o.output(),
                            o.model(),
                            (threads, log) -> VolumeFiles.open(
                                    o.threads() > 0 ? o : o.withEngine(o.engine(), o.device(), threads), voxel, log));
                }
                yield parsed(
                        name,
                        o.input(),
                        o.output(),
                        o.model(),
                        (threads, log) -> SegmentFiles.open(
                                o.threads() > 0 ? o : o.withEngine(o.engine(), o.device(), threads), log));
            }
            case "detect" -> {
                DetectFiles.Options o = DetectCommand.options(args);
                yield parsed(
                        name,
                        o.input(),
                        o.output(),
                        o.model(),
                        (threads, log) -> DetectFiles.open(
                                o.threads() > 0 ? o : o.withEngine(o.engine(), o.device(), threads), log));
            }
            case "classify" -> {
                ClassifyFiles.Options o = ClassifyCommand.options(args);
                if (o.rois() != null)
                    throw new IllegalArgumentException("spark classify classifies whole images; --rois is for"
                            + " ./cnnj classify on one machine");
                yield parsed(
                        name,
                        o.input(),
                        o.output(),
                        o.model(),
                        (threads, log) -> ClassifyFiles.open(
                                o.threads() > 0 ? o : o.withEngine(o.engine(), o.device(), threads), log));
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown command \"" + name + "\": on Spark CNN-J runs " + String.join(" or ", NAMES));
        };
    }

    private static Parsed parsed(String name, Path input, Path output, Path model, Opener opener) {
        return new Parsed(name, input, output, model, TABLE.get(name), opener);
    }
}
