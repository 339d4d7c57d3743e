package org.cnnj.cli;

import ij.ImagePlus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnj.det.AnnotatedImage;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MeanAveragePrecision;
import org.cnnj.det.ObjectDetector;
import org.cnnj.ij.ClassicSegmentation;
import org.cnnj.ij.Planes;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.model.ModelSpec;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.ObjectScores;
import org.cnnj.seg.ObjectSize;
import org.cnnj.seg.Segmenter;

/**
 * {@code ./cnnj bench accuracy [--data DIR] [--model M.onnx] [--threads N]}: object-level accuracy on
 * annotated images (NAME.tif + NAME-labels.tif; default the real-nuclei val split in ../shared), in one
 * run for: the model with --diameter auto, the model at the diameter measured from the true labels (how
 * much the estimate costs), the model on the image as it is (no rescaling), and the classic ImageJ
 * pipeline (Otsu + watershed). Prints pooled AP@0.5, mean per-image AP@0.5, DSB score, precision, recall,
 * merges and splits, and how far the auto diameter was from the true one.
 */
final class AccuracyBench {
    private AccuracyBench() {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "bench accuracy",
                args,
                List.of("--data", "--model", "--threads", "--detector"),
                List.of("--per-image"));
        Path data = o.has("--data") ? o.path("--data") : Path.of("../shared/data/nuclei-real/val");
        Path model = o.has("--model") ? o.path("--model") : Path.of("models/nuclei.onnx");
        List<Path> images = images(data);
        ModelSpec spec = ModelSpec.read(ModelSpec.sidecarOf(model));
        TiledPredictor.Layout layout = new TiledPredictor.Layout(512, spec.halo(), spec.tileMultiple());
        Map<String, List<ObjectScores.Image>> runs = new LinkedHashMap<>();
        for (String k : List.of(
                "model, diameter auto", "model, true diameter", "model, no rescaling", "ImageJ Otsu + watershed"))
            runs.put(k, new ArrayList<>());
        List<Double> logErrors = new ArrayList<>();
        List<double[]> diameters = new ArrayList<>(); // per image: estimated (auto) and true, in pixels
        long modelNanos = 0;
        try (Engine engine = OrtEngine.open(model, Device.CPU, o.integer("--threads", 0), System.err::println)) {
            for (Path file : images) {
                ImagePlus imp = Tiffs.open(file);
                int[] truth = labels(Tiffs.open(labelsOf(file)));
                int w = imp.getWidth(), h = imp.getHeight();
                long t0 = System.nanoTime();
                float[][] planes = Segmenter.normalize(spec, Planes.of(imp, 0), w, h, null);
                double auto = Segmenter.scaleFor(engine, spec, planes, w, h, Diameter.AUTO, msg -> {});
                runs.get("model, diameter auto").add(score(engine, spec, planes, w, h, layout, auto, truth));
                modelNanos += System.nanoTime() - t0;
                double trueDiameter = ObjectSize.medianDiameter(truth);
                double oracle = Double.isFinite(trueDiameter) && spec.objectDiameter() > 0
                        ? spec.objectDiameter() / trueDiameter
                        : 1;
                runs.get("model, true diameter").add(score(engine, spec, planes, w, h, layout, oracle, truth));
                runs.get("model, no rescaling").add(score(engine, spec, planes, w, h, layout, 1, truth));
                runs.get("ImageJ Otsu + watershed")
                        .add(ObjectScores.score(truth, ClassicSegmentation.otsuWatershed(imp.getProcessor())));
                if (Double.isFinite(trueDiameter)) logErrors.add(Math.abs(Math.log(auto / oracle)));
                diameters.add(new double[] {spec.objectDiameter() / auto, trueDiameter});
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%d images in %s, %d true objects; model %s (trained for %.1f px objects)%n",
                images.size(),
                data,
                runs.values().iterator().next().stream()
                        .mapToInt(ObjectScores.Image::truths)
                        .sum(),
                model,
                spec.objectDiameter());
        System.out.printf(
                Locale.ROOT,
                "%-26s %8s %8s %8s %8s %8s %7s %7s %7s%n",
                "",
                "pooled",
                "mean",
                "DSB",
                "prec.",
                "recall",
                "merges",
                "splits",
                "found");
        System.out.printf(Locale.ROOT, "%-26s %8s %8s %8s %8s %8s%n", "", "AP@0.5", "AP@0.5", "score", "@0.5", "@0.5");
        for (Map.Entry<String, List<ObjectScores.Image>> e : runs.entrySet()) {
            ObjectScores.Summary s = ObjectScores.summarize(e.getValue());
            System.out.printf(
                    Locale.ROOT,
                    "%-26s %8.3f %8.3f %8.3f %8.3f %8.3f %7d %7d %7d%n",
                    e.getKey(),
                    s.pooledAp50(),
                    s.meanAp50(),
                    s.dsbScore(),
                    s.precision(),
                    s.recall(),
                    s.merges(),
                    s.splits(),
                    s.predictions());
        }
        double[] err =
                logErrors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (err.length > 0) {
            long within = logErrors.stream().filter(x -> x < Math.log(1.25)).count();
            System.out.printf(
                    Locale.ROOT,
                    "diameter auto vs true (median object of the labels): median ratio error x%.2f, %d of %d images within x1.25%n",
                    Math.exp(err[err.length / 2]),
                    within,
                    err.length);
        }
        System.out.printf(
                Locale.ROOT,
                "model with diameter auto: %.2f s for %d images (ONNX Runtime, CPU)%n",
                modelNanos / 1e9,
                images.size());
        if (o.has("--per-image"))
            perImage(images, diameters, runs.get("model, diameter auto"), runs.get("ImageJ Otsu + watershed"));
        if (o.has("--detector")) detector(o.path("--detector"), data);
        return 0;
    }

    /** One line per image, worst first: where the model loses its score (and what the classic pipeline gets there). */
    private static void perImage(
            List<Path> images,
            List<double[]> diameters,
            List<ObjectScores.Image> model,
            List<ObjectScores.Image> classic) {
        System.out.printf(
                Locale.ROOT,
                "%nper image, worst first (model with diameter auto):%n%-20s %6s %6s %7s %7s %6s %6s %7s %7s %7s%n",
                "image",
                "truths",
                "found",
                "AP@0.5",
                "DSB",
                "merges",
                "splits",
                "ImageJ",
                "d auto",
                "d true");
        Integer[] order = new Integer[images.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> model.get(i).averagePrecision(0)));
        for (int i : order) {
            ObjectScores.Image m = model.get(i);
            String name = images.get(i).getFileName().toString();
            System.out.printf(
                    Locale.ROOT,
                    "%-20s %6d %6d %7.3f %7.3f %6d %6d %7.3f %7.1f %7.1f%n",
                    name.length() > 20 ? name.substring(0, 20) : name,
                    m.truths(),
                    m.predictions(),
                    m.averagePrecision(0),
                    m.dsbScore(),
                    m.merges(),
                    m.splits(),
                    classic.get(i).averagePrecision(0),
                    diameters.get(i)[0],
                    diameters.get(i)[1]);
        }
    }

    /** Box AP@0.5 of a detector on the same images (boxes from the label images). */
    private static void detector(Path model, Path data) throws IOException {
        try (ObjectDetector detector = ObjectDetector.open(model, Device.CPU, 0, System.err::println)) {
            List<AnnotatedImage> images =
                    TrainDetectorFiles.load(data, data, detector.spec().classes());
            MeanAveragePrecision.Result r = DetectorTrainer.evaluate(detector, images);
            System.out.printf(
                    Locale.ROOT,
                    "detector %s (anchors %s px): box AP@0.5 %.3f on %d images%n",
                    model,
                    Arrays.toString(detector.spec().architecture().anchorSizes()),
                    r.mean(),
                    images.size());
        }
    }

    /** {@code planes}: normalized. */
    private static ObjectScores.Image score(
            Engine engine,
            ModelSpec spec,
            float[][] planes,
            int w,
            int h,
            TiledPredictor.Layout layout,
            double scale,
            int[] truth) {
        Segmenter.Result r = Segmenter.segmentNormalized(
                engine, spec, planes, w, h, new Segmenter.Options(layout, false, 6, scale), null);
        return ObjectScores.score(truth, r.objects());
    }

    static List<Path> images(Path data) throws IOException {
        if (!Files.isDirectory(data)) {
            throw new IOException("bench accuracy: " + data
                    + " does not exist; give --data DIR with NAME.tif + NAME-labels.tif pairs");
        }
        try (Stream<Path> s = Files.list(data)) {
            List<Path> images = s.filter(p -> p.getFileName().toString().endsWith(".tif")
                            && !p.getFileName().toString().endsWith("-labels.tif"))
                    .filter(p -> Files.exists(labelsOf(p)))
                    .sorted()
                    .toList();
            if (images.isEmpty())
                throw new IOException("bench accuracy: no NAME.tif + NAME-labels.tif pairs in " + data);
            return images;
        }
    }

    static Path labelsOf(Path image) {
        return image.resolveSibling(image.getFileName().toString().replaceFirst("\\.tif$", "-labels.tif"));
    }

    static int[] labels(ImagePlus imp) {
        int[] out = new int[imp.getWidth() * imp.getHeight()];
        for (int i = 0; i < out.length; i++) out[i] = (int) imp.getProcessor().getf(i);
        return out;
    }
}
