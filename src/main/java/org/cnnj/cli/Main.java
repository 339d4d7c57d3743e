package org.cnnj.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cnnj.bench.BenchCommand;
import org.cnnj.catalog.ModelReport;
import org.cnnj.kernel.Kernels;
import org.cnnj.util.Parallel;

/** Entry point of {@code ./cnnj}: one subcommand per job; errors are one clear line and exit code 2. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // jhdf logs through SLF4J, which without a provider (none on ./cnnj's class path; Fiji has one) warns on stderr
        // at the first HDF5 file; its own notices only, not errors.
        if (System.getProperty("slf4j.internal.verbosity") == null)
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("cnnj: " + e.getMessage());
            code = 2;
        } catch (Exception | Error e) {
            System.err.println("cnnj: "
                    + (e instanceof OutOfMemoryError
                            ? "out of memory: give Java more (JAVA_OPTS=-Xmx8g ./cnnj ...), or a smaller --tile"
                            : "unexpected error: " + e)
                    + detailsOf(e));
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.out.println(usage());
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            System.out.println(Help.of(args[0]));
            return 0;
        }
        return switch (args[0]) {
            case "bench" ->
                rest.length > 0 && rest[0].equals("accuracy")
                        ? AccuracyBench.run(Arrays.copyOfRange(rest, 1, rest.length))
                        : BenchCommand.run(rest);
            case "demo" -> DemoCommand.run(rest);
            case "demo-det" -> DetectDemoCommand.run(rest);
            case "generate-nuclei" -> GenerateCommand.run(rest);
            case "segment" -> SegmentCommand.run(rest);
            case "train-seg" -> TrainSegCommand.run(rest);
            case "train-seg3d" -> Volume3dCommands.train(rest);
            case "generate-nuclei3d" -> Volume3dCommands.generate(rest);
            case "tune-seg" -> TuneCommand.run(rest);
            case "install" -> InstallCommand.install(rest);
            case "uninstall" -> InstallCommand.uninstall(rest);
            case "detect" -> DetectCommand.run(rest);
            case "train-det" -> TrainDetCommand.run(rest);
            case "generate-scenes" -> GenerateCommand.runScenes(rest);
            case "train-cls" -> TrainClsCommand.run(rest);
            case "classify" -> ClassifyCommand.run(rest);
            case "generate-cells" -> GenerateCommand.runCells(rest);
            case "export-bioimageio" -> ExportBioimageIoCommand.run(rest);
            case "export-model" -> ExportModelCommand.run(rest);
            case "ensemble" -> EnsembleCommand.run(rest);
            case "model-info" -> {
                CliOptions o = new CliOptions("model-info", rest, List.of("--model"), List.of());
                o.require("--model");
                System.out.println(ModelReport.describe(o.path("--model")));
                yield 0;
            }
            case "info" -> {
                System.out.println("CNN-J " + version());
                System.out.println("GEMM kernel: " + Kernels.describe());
                System.out.println("threads: " + Parallel.threads() + " (set with -Dcnnj.threads=N or CNNJ_THREADS)");
                System.out.println(
                        "java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
                yield 0;
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'\n" + usage());
        };
    }

    /** Where the stack trace went (a log file; printed too with CNNJ_VERBOSE=1), so it does not bury the message. */
    private static String detailsOf(Throwable e) {
        if (System.getenv("CNNJ_VERBOSE") != null) {
            e.printStackTrace();
            return "";
        }
        try {
            Path log = Files.createTempFile("cnnj-error-", ".log");
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            Files.writeString(log, w.toString());
            return "\n  (details for a bug report in " + log + "; CNNJ_VERBOSE=1 prints them)";
        } catch (IOException | RuntimeException ignored) {
            return "";
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    static String usage() {
        return String.join(
                "\n",
                "usage: ./cnnj <command> [options]",
                "  demo   [--out DIR] [--steps N]   train a U-Net on generated nuclei images and report its accuracy",
                "  demo-det [--out DIR] [--steps N] train the detector on generated cell scenes, report mAP@0.5 per class",
                "  bench  [--json] [--torch] ...    time training steps of the reference U-Net (see README)",
                "  bench accuracy [--data DIR] [--model M.onnx]   object AP, DSB score, merges/splits vs ImageJ Otsu + watershed",
                "  generate-nuclei [--out DIR] [--count N] [--size S] [--seed S]   synthetic images + instance labels",
                "  segment --model M.onnx --input IMG|DIR --output DIR [--engine ort|java] [--device auto|cpu|cuda]",
                "          [--threads N] [--tile N] [--probabilities] [--diameter auto|none|PX]",
                "          labels.tif, rois.zip, results.csv, objects.geojson, coco.json, labels.ome.tif (+ probabilities)",
                "  train-seg --images DIR [--labels DIR] --output M.onnx [--task instances|instances-3class|semantic] [--diameter PX]",
                "          [--epochs N] [--train-engine auto|java|ort] ...   train a U-Net on your image/label pairs (see README)",
                "  tune-seg --model M.onnx --images DIR [--every N] [--decoding]   choose the split depth (and decoding) of an"
                        + " instance model on annotated images",
                "  model-info --model M.onnx   what a model does, takes and gives, and how it was made",
                "  export-model --model M.onnx --folder DIR [--weights as-is|float16]   copy a model with its sidecar and"
                        + " graphs; float16: large weights as 16-bit floats (half the size)",
                "  ensemble --model A.onnx --model B.onnx [--model C.onnx] --output E.onnx   segmentation models averaged"
                        + " in one file",
                "  detect --model M.onnx --input IMG|DIR --output DIR [--engine ort|java] [--device auto|cpu|cuda]",
                "          [--threads N] [--tile N] [--score P] [--nms IOU] [--classes a,b]   rois.zip, detections.csv, overlay.tif, .geojson, coco.json",
                "  train-det --images DIR [--rois DIR] --output M.onnx [--classes a,b] [--anchors 12,24,48] [--epochs N] ...",
                "          train the detector on images with ROI zips (class = ROI name or group)",
                "  generate-scenes [--out DIR] [--count N] [--size S] [--seed S]   synthetic detection scenes + ROI zips",
                "  train-cls --images DIR|FILE.csv --output M.onnx [--arch resnet18] [--size 64] [--rois DIR] ...",
                "          train a classifier on class subfolders, a file,class CSV, or images with ROI zips (class = ROI name)",
                "  classify --model M.onnx --input IMG|DIR --output DIR [--rois DIR] [--dense]   classes.csv (+ rois.zip by class)",
                "  generate-cells [--out DIR] [--count N] [--size S] [--seed S]   synthetic cell crops of 4 phenotypes, one folder each",
                "  export-bioimageio --model M.onnx --output M.zip --name NAME --authors \"A, B\" [--license CC-BY-4.0]",
                "          a bioimage.io model package (spec 0.5); every --model also takes a package (.zip, folder, bioimageio.yaml)",
                "  install PATH [--gpu] | uninstall PATH   put CNN-J into a Fiji.app or ImageJ folder (only the jars it lacks), or take it out",
                "  info                             kernel path, threads, Java version");
    }
}
