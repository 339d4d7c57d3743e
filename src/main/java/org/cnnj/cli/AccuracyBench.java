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
import org.cnnj.det.DetectorKind;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MaskPaste;
import org.cnnj.det.MeanAveragePrecision;
import org.cnnj.det.ObjectDetector;
import org.cnnj.ij.BoxAnnotations;
import org.cnnj.ij.ClassicSegmentation;
import org.cnnj.ij.Planes;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.io.ImageFiles;
import org.cnnj.io.Manifest;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.FlipAveraging;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.Decoding;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.ObjectScores;
import org.cnnj.seg.ObjectSize;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;

/**
 * {@code ./cnnj bench accuracy [--data DIR]... [--model M.onnx]... [--annotations F] [--threads N] [--flips 1/2/4/8]
 * [--oracle] [--per-image]}:
 * object-level accuracy on annotated images (NAME.tif + NAME-labels.tif; default the real-nuclei val split in
 * ../shared), one block of rows per source — a data folder, or the sources its {@code manifest.csv} names — so a
 * model is judged on each lab's images apart: each model with --diameter auto, and the classic ImageJ pipeline (Otsu
 * + watershed) on the same images, in one run. Prints pooled AP@0.5, mean per-image AP@0.5, DSB score, precision,
 * recall, merges and splits, and how far the auto diameter was from the true one. {@code --oracle} adds each model at
 * the diameter measured from the true labels (what the estimate costs) and on the image as it is (no rescaling);
 * {@code --flips N} runs every model as the mean of N flipped views ({@link FlipAveraging}); {@code --annotations F}
 * takes the truth from one kind of labels only, as train-seg does (labels, rois, geojson, geojson-nuclei, labelme…).
 */
final class AccuracyBench {
    private AccuracyBench() {}

    /** An annotated image: its file, its source and its object labels (label image, ROI zip or outlines). */
    private record Sample(Path file, String source, int[] truth) {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "bench accuracy",
                args,
                List.of("--data", "--model", "--threads", "--detector", "--decoding", "--flips", "--annotations"),
                List.of("--per-image", "--oracle"));
        List<Path> folders =
                o.paths("--data").isEmpty() ? List.of(Path.of("../shared/data/nuclei-real/val")) : o.paths("--data");
        List<Path> models = o.paths("--model").isEmpty() ? List.of(Path.of("models/nuclei.onnx")) : o.paths("--model");
        List<Sample> samples = new ArrayList<>();
        BoxAnnotations.Format truthFrom = BoxAnnotations.Format.parse(o.text("--annotations", "auto"));
        for (Path folder : folders) samples.addAll(samples(folder, truthFrom));
        List<int[]> truths = new ArrayList<>();
        for (Sample s : samples) truths.add(s.truth());
        // Row name -> one score per sample, in the order of samples.
        Map<String, List<ObjectScores.Image>> rows = new LinkedHashMap<>();
        List<List<double[]>> diameters = new ArrayList<>();
        for (Path model : models) {
            String name = models.size() == 1 ? "model" : rowName(model, models);
            diameters.add(
                    DetectorSpec.isDetector(model)
                            ? scoreMasks(model, name, samples, truths, rows)
                            : scoreModel(model, name, samples, truths, o, rows));
        }
        List<ObjectScores.Image> classic = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            ImagePlus imp = Tiffs.open(samples.get(i).file());
            classic.add(ObjectScores.score(truths.get(i), ClassicSegmentation.otsuWatershed(imp.getProcessor())));
        }
        rows.put("ImageJ Otsu + watershed", classic);
        print(samples, rows, models);
        if (o.has("--per-image")) {
            List<Path> files = samples.stream().map(Sample::file).toList();
            perImage(files, diameters.get(0), rows.get(rows.keySet().iterator().next()), classic);
        }
        if (o.has("--detector")) detector(o.path("--detector"), folders.get(0));
        return 0;
    }

    /**
     * A model's row name: its file name, or with its folder where another model of the run has the same file name (a
     * model and its float16 export): rows are keyed by name, and two models must not share one.
     */
    static String rowName(Path model, List<Path> models) {
        String name = model.getFileName().toString();
        long same = models.stream()
                .filter(m -> m.getFileName().toString().equals(name))
                .count();
        Path folder = model.toAbsolutePath().getParent();
        return same > 1 && folder != null && folder.getFileName() != null ? folder.getFileName() + "/" + name : name;
    }

    /** Adds the model's rows; returns per sample the estimated (auto) and true diameter in pixels. */
    private static List<double[]> scoreModel(
            Path model,
            String name,
            List<Sample> samples,
            List<int[]> truths,
            CliOptions o,
            Map<String, List<ObjectScores.Image>> rows)
            throws IOException {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        Segmenter.Options base = Segmenter.Options.of(spec); // tiles of 512 px, the model's own decoding
        List<Decoding> decodings =
                o.all("--decoding").stream().map(AccuracyBench::decoding).toList();
        List<List<ObjectScores.Image>> variants = new ArrayList<>();
        for (int d = 0; d < decodings.size(); d++) variants.add(new ArrayList<>());
        List<ObjectScores.Image> auto = new ArrayList<>(), oracle = new ArrayList<>(), asIs = new ArrayList<>();
        List<Double> logErrors = new ArrayList<>();
        List<double[]> diameters = new ArrayList<>();
        long nanos = 0;
        try (Engine engine = FlipAveraging.of(
                OrtEngine.open(model, Device.CPU, o.integer("--threads", 0), System.err::println),
                o.integer("--flips", 1))) {
            Segmenter segmenter = Segmenter.of(engine, spec);
            for (int i = 0; i < samples.size(); i++) {
                ImagePlus imp = Tiffs.open(samples.get(i).file());
                int[] truth = truths.get(i);
                int w = imp.getWidth(), h = imp.getHeight();
                long t0 = System.nanoTime();
                float[][] planes = Segmenter.normalize(spec, Planes.of(imp, 0), w, h, null);
                double scale = segmenter.scaleFor(planes, w, h, Diameter.AUTO, msg -> {});
                auto.add(score(segmenter, planes, w, h, base.withScale(scale), truth));
                for (int d = 0; d < decodings.size(); d++) {
                    variants.get(d)
                            .add(score(
                                    segmenter,
                                    planes,
                                    w,
                                    h,
                                    base.withScale(scale).withDecoding(decodings.get(d)),
                                    truth));
                }
                nanos += System.nanoTime() - t0;
                double trueDiameter = ObjectSize.medianDiameter(truth);
                double trueScale = Double.isFinite(trueDiameter) && spec.objectDiameter() > 0
                        ? spec.objectDiameter() / trueDiameter
                        : 1;
                if (o.has("--oracle")) {
                    oracle.add(score(segmenter, planes, w, h, base.withScale(trueScale), truth));
                    asIs.add(score(segmenter, planes, w, h, base, truth));
                }
                if (Double.isFinite(trueDiameter)) logErrors.add(Math.abs(Math.log(scale / trueScale)));
                diameters.add(new double[] {spec.objectDiameter() / scale, trueDiameter});
            }
        }
        rows.put(name + ", diameter auto", auto);
        for (int d = 0; d < decodings.size(); d++) {
            Decoding dec = decodings.get(d);
            rows.put(
                    String.format(
                            Locale.ROOT,
                            "%s, decoding %.2f/%.2f/%.2f%s",
                            name,
                            dec.foreground(),
                            dec.seed(),
                            dec.relativeSpeck(),
                            dec.perObject() ? String.format(Locale.ROOT, "/%.2f", dec.lowest()) : ""),
                    variants.get(d));
        }
        if (o.has("--oracle")) {
            rows.put(name + ", true diameter", oracle);
            rows.put(name + ", no rescaling", asIs);
        }
        double[] err =
                logErrors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "%s (trained for %.1f px objects): %.2f s for %d images with diameter auto (ONNX Runtime, CPU)%s%n",
                model,
                spec.objectDiameter(),
                nanos / 1e9,
                samples.size(),
                err.length == 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; auto vs true diameter: median error x%.2f, %d of %d within x1.25",
                                Math.exp(err[err.length / 2]),
                                logErrors.stream()
                                        .filter(x -> x < Math.log(1.25))
                                        .count(),
                                err.length));
        return diameters;
    }

    /**
     * Adds the rows of a detector with masks (Mask R-CNN): its outlines pasted into a label image and scored like a
     * segmentation, on the image as it is and resized by the detector's own object-size estimate. Returns per sample
     * the estimated and the true object size (box side, px).
     */
    private static List<double[]> scoreMasks(
            Path model,
            String name,
            List<Sample> samples,
            List<int[]> truths,
            Map<String, List<ObjectScores.Image>> rows)
            throws IOException {
        List<ObjectScores.Image> asIs = new ArrayList<>(), auto = new ArrayList<>();
        List<double[]> sizes = new ArrayList<>();
        long nanos = 0;
        float objectSize;
        try (ObjectDetector detector = ObjectDetector.open(model, Device.CPU, 0, System.err::println)) {
            objectSize = detector.spec().objectSize();
            if (!detector.spec().hasMasks())
                throw new IllegalArgumentException(model + " is a detector without masks (boxes only); bench accuracy"
                        + " scores outlines: give a segmentation model or a detector trained with --masks");
            ObjectDetector.Options options = ObjectDetector.Options.of(detector.spec());
            for (int i = 0; i < samples.size(); i++) {
                ImagePlus imp = Tiffs.open(samples.get(i).file());
                int w = imp.getWidth(), h = imp.getHeight();
                float[][] planes = Planes.of(imp, 0);
                asIs.add(ObjectScores.score(truths.get(i), pasted(detector, planes, w, h, options)));
                long t0 = System.nanoTime();
                double scale = detector.estimateScale(planes, w, h, line -> {});
                auto.add(ObjectScores.score(truths.get(i), pasted(detector, planes, w, h, options.withScale(scale))));
                nanos += System.nanoTime() - t0;
                sizes.add(new double[] {objectSize / scale, ObjectSize.medianDiameter(truths.get(i))});
            }
        }
        rows.put(name + ", masks as is", asIs);
        rows.put(name + ", masks, size auto", auto);
        System.out.printf(
                Locale.ROOT,
                "%s (detector with masks, trained on %.1f px boxes): %.2f s for %d images with size auto (ONNX Runtime,"
                        + " CPU)%n",
                model,
                objectSize,
                nanos / 1e9,
                samples.size());
        return sizes;
    }

    private static int[] pasted(ObjectDetector detector, float[][] planes, int w, int h, ObjectDetector.Options o) {
        return MaskPaste.labels(detector.detectInstances(planes, w, h, o, null), w, h)
                .labels();
    }

    /** One block per source (and the pooled and per-source-mean rows when there are several). */
    private static void print(List<Sample> samples, Map<String, List<ObjectScores.Image>> rows, List<Path> models) {
        List<String> sources = samples.stream().map(Sample::source).distinct().toList();
        String header = String.format(
                Locale.ROOT,
                "%-30s %7s %7s %7s %7s %7s %7s %7s %7s%n%-30s %7s %7s %7s %7s %7s%n",
                "",
                "pooled",
                "mean",
                "DSB",
                "prec.",
                "recall",
                "merges",
                "splits",
                "found",
                "",
                "AP@0.5",
                "AP@0.5",
                "score",
                "@0.5",
                "@0.5");
        Map<String, List<Double>> pooledBySource = new LinkedHashMap<>();
        for (String source : sources) {
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) if (samples.get(i).source().equals(source)) at.add(i);
            int truths = 0;
            for (int i : at) truths += rows.values().iterator().next().get(i).truths();
            System.out.printf(Locale.ROOT, "%nsource %s: %d images, %d true objects%n", source, at.size(), truths);
            System.out.print(header);
            for (Map.Entry<String, List<ObjectScores.Image>> e : rows.entrySet()) {
                List<ObjectScores.Image> some =
                        at.stream().map(e.getValue()::get).toList();
                ObjectScores.Summary s = ObjectScores.summarize(some);
                printRow(e.getKey(), s);
                pooledBySource
                        .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(s.pooledAp50());
            }
        }
        if (sources.size() < 2) return;
        System.out.printf(Locale.ROOT, "%nall %d sources pooled: %d images%n", sources.size(), samples.size());
        System.out.print(header);
        for (Map.Entry<String, List<ObjectScores.Image>> e : rows.entrySet())
            printRow(e.getKey(), ObjectScores.summarize(e.getValue()));
        System.out.printf(Locale.ROOT, "%npooled AP@0.5 per source (and their mean, each source counting once):%n");
        for (Map.Entry<String, List<Double>> e : pooledBySource.entrySet()) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-30s", e.getKey()));
            for (double v : e.getValue()) b.append(String.format(Locale.ROOT, " %7.3f", v));
            double mean = e.getValue().stream()
                    .mapToDouble(Double::doubleValue)
                    .average()
                    .orElse(0);
            System.out.println(b.append(String.format(Locale.ROOT, "   mean %.3f", mean)));
        }
    }

    private static void printRow(String name, ObjectScores.Summary s) {
        System.out.printf(
                Locale.ROOT,
                "%-30s %7.3f %7.3f %7.3f %7.3f %7.3f %7d %7d %7d%n",
                name.length() > 30 ? name.substring(0, 30) : name,
                s.pooledAp50(),
                s.meanAp50(),
                s.dsbScore(),
                s.precision(),
                s.recall(),
                s.merges(),
                s.splits(),
                s.predictions());
    }

    /** The annotated images of a folder, each with its source: the manifest's, else the folder ("nuclei-real/val"). */
    private static List<Sample> samples(Path folder, BoxAnnotations.Format truthFrom) throws IOException {
        Map<String, String> sources = Manifest.sources(folder);
        String fallback = Manifest.folderSource(folder);
        List<Sample> out = new ArrayList<>();
        if (!Files.isDirectory(folder))
            throw new IOException(
                    "bench accuracy: " + folder + " does not exist; give --data DIR with annotated images");
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(ImageFiles::isImage).sorted().toList();
        }
        for (Path file : files) {
            // Truth as training reads it: NAME-labels.tif, a ROI zip, or an annotation tool's outlines (QuPath…).
            int[] truth = TrainSegmentationFiles.objectLabels(file, truthFrom);
            if (truth != null)
                out.add(new Sample(file, sources.getOrDefault(ImageFiles.baseName(file), fallback), truth));
        }
        if (out.isEmpty())
            throw new IOException(
                    "bench accuracy: no annotated images in " + folder + " (NAME.tif with NAME-labels.tif or"
                            + " Cellpose's NAME_seg.npy or ilastik's NAME_Object Identities.h5, a ROI zip NAME.zip, or outlines: NAME.geojson from QuPath,"
                            + " NAME.json from labelme, a COCO, VIA or Label Studio .json, a CVAT annotations.xml)"
                            + (truthFrom == BoxAnnotations.Format.AUTO
                                    ? ""
                                    : "; only " + truthFrom.option() + " looked for (--annotations)"));
        return out;
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
                    TrainDetectorFiles.load(data, null, detector.spec().classes());
            MeanAveragePrecision.Result r = DetectorTrainer.evaluate(detector, images);
            System.out.printf(
                    Locale.ROOT,
                    "detector %s (%s): box AP@0.5 %.3f on %d images%n",
                    model,
                    detector.spec().kind() == DetectorKind.ONE_STAGE
                            ? "one-stage"
                            : "anchors "
                                    + Arrays.toString(
                                            detector.spec().architecture().anchorSizes()) + " px",
                    r.mean(),
                    images.size());
        }
    }

    /** {@code planes}: normalized. */
    private static ObjectScores.Image score(
            Segmenter segmenter, float[][] planes, int w, int h, Segmenter.Options o, int[] truth) {
        return ObjectScores.score(
                truth, segmenter.applyNormalized(planes, w, h, o, null).objects());
    }

    /** "FOREGROUND/SEED/SPECK[/LOWEST]" (e.g. 0.5/0.6/0.2 or 0.6/0.6/0/0.3) as a decoding. */
    static Decoding decoding(String text) {
        String[] p = text.split("/");
        if (p.length != 3 && p.length != 4)
            throw new IllegalArgumentException(
                    "bench accuracy: --decoding takes FOREGROUND/SEED/SPECK[/LOWEST], e.g. 0.5/0.6/0.2 or 0.6/0.6/0/0.3");
        return new Decoding(
                Float.parseFloat(p[0]),
                Float.parseFloat(p[1]),
                Float.parseFloat(p[2]),
                p.length == 4 ? Float.parseFloat(p[3]) : 0f);
    }
}
