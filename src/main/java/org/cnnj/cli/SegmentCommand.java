package org.cnnj.cli;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.cnnj.ij.LabelResults;
import org.cnnj.ij.Tiffs;
import org.cnnj.infer.Device;
import org.cnnj.infer.Engine;
import org.cnnj.infer.JavaEngine;
import org.cnnj.infer.ModelSpec;
import org.cnnj.infer.OrtEngine;
import org.cnnj.infer.Segmenter;
import org.cnnj.infer.TiledPredictor;

/**
 * {@code ./cnnj segment --model M.onnx --input IMG|DIR --output DIR [--engine ort|java]
 * [--device auto|cpu|cuda] [--threads N] [--tile N] [--probabilities]}. Per image: labels.tif (16-bit
 * object labels, or classes for semantic models), probabilities.tif (optional), rois.zip and
 * results.csv; a folder of images gets one subfolder per image. Stacks go slice by slice.
 */
final class SegmentCommand {
    private SegmentCommand() {}

    record Options(Path model, Path input, Path output, String engine, Device device, int threads, int tile, boolean probabilities) {}

    static int run(String[] args) throws IOException {
        Path model = null, input = null, output = null;
        String engine = "ort";
        Device device = Device.AUTO;
        int threads = 0, tile = 0;
        boolean probabilities = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--probabilities")) {
                probabilities = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("segment: " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--model" -> model = Path.of(v);
                case "--input" -> input = Path.of(v);
                case "--output" -> output = Path.of(v);
                case "--engine" -> engine = v;
                case "--device" -> device = Device.parse(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--tile" -> tile = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("segment: unknown option " + a
                        + "; options: --model --input --output --engine ort|java --device auto|cpu|cuda --threads --tile --probabilities");
            }
        }
        if (model == null || input == null || output == null) {
            throw new IllegalArgumentException("segment: --model, --input and --output are required");
        }
        if (!engine.equals("ort") && !engine.equals("java")) throw new IllegalArgumentException("segment: --engine must be ort or java, got " + engine);
        return segment(new Options(model, input, output, engine, device, threads, tile, probabilities));
    }

    static int segment(Options o) throws IOException {
        ModelSpec spec = ModelSpec.read(ModelSpec.sidecarOf(o.model()));
        List<Path> images = inputs(o.input());
        TiledPredictor.Layout layout = o.tile() > 0 ? new TiledPredictor.Layout(roundUp(o.tile(), spec.tileMultiple()), spec.halo(), spec.tileMultiple())
                : TiledPredictor.Layout.forMemory(spec, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4), 4L * 40 * 16, 1024);
        try (Engine engine = o.engine().equals("java") ? JavaEngine.open(o.model(), spec) : OrtEngine.open(o.model(), o.device(), o.threads(), System.err::println)) {
            System.out.println("engine: " + engine.describe() + "; tiles " + layout.tile() + " px + " + layout.halo() + " px halo");
            for (Path image : images) {
                Path dir = Files.isDirectory(o.input()) ? o.output().resolve(baseName(image)) : o.output();
                long t0 = System.nanoTime();
                int objects = segmentImage(engine, spec, layout, image, dir, o.probabilities());
                System.out.printf(Locale.ROOT, "%s: %d objects in %.2f s -> %s%n", image.getFileName(), objects, (System.nanoTime() - t0) / 1e9, dir);
            }
        }
        return 0;
    }

    private static List<Path> inputs(Path input) throws IOException {
        if (Files.isRegularFile(input)) return List.of(input);
        if (!Files.isDirectory(input)) throw new IOException("input " + input + " does not exist; give an image file or a folder of images");
        try (Stream<Path> s = Files.list(input)) {
            List<Path> images = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.tiff?$"))
                    .filter(p -> !p.getFileName().toString().contains("-labels.")).sorted().toList();
            if (images.isEmpty()) throw new IOException("no .tif images in " + input);
            return images;
        }
    }

    static int segmentImage(Engine engine, ModelSpec spec, TiledPredictor.Layout layout, Path file, Path dir, boolean keepProbabilities) throws IOException {
        ImagePlus imp = Tiffs.open(file);
        int w = imp.getWidth(), h = imp.getHeight(), channels = imp.getNChannels(), positions = imp.getStackSize() / channels;
        if (channels != spec.inputChannels()) {
            throw new IllegalArgumentException(file.getFileName() + " has " + channels + " channel(s) but the model expects "
                    + spec.inputChannels() + "; convert the image (Image › Color › Split/Merge Channels)");
        }
        Calibration cal = imp.getCalibration();
        ImageStack labelStack = new ImageStack(w, h), probabilityStack = new ImageStack(w, h);
        List<Roi> rois = new ArrayList<>();
        List<LabelResults.Measurement> rows = new ArrayList<>();
        int objects = 0;
        for (int pos = 0; pos < positions; pos++) {
            float[][] planes = new float[channels][];
            for (int c = 0; c < channels; c++) planes[c] = (float[]) imp.getStack().getProcessor(pos * channels + c + 1).convertToFloat().getPixels();
            Segmenter.Result r = Segmenter.segment(engine, spec, planes, w, h, new Segmenter.Options(layout, keepProbabilities, 6), null);
            int[] labels = r.objects();
            if (labels == null) {
                labels = new int[r.classes().length];
                for (int i = 0; i < labels.length; i++) labels[i] = r.classes()[i];
            }
            short[] pixels = new short[labels.length];
            for (int i = 0; i < labels.length; i++) pixels[i] = (short) labels[i];
            labelStack.addSlice(new ShortProcessor(w, h, pixels, null));
            if (keepProbabilities) {
                for (int k = 0; k < r.probabilities().length; k++) {
                    probabilityStack.addSlice(spec.classes().get(k), new FloatProcessor(w, h, r.probabilities()[k]));
                }
            }
            int position = positions > 1 ? pos + 1 : 0;
            rois.addAll(LabelResults.rois(labels, w, h, position));
            rows.addAll(LabelResults.measure(labels, planes[0], w, h, cal, position));
            objects += r.objects() != null ? r.objectCount() : 0;
        }
        ImagePlus labelImage = new ImagePlus("labels", labelStack);
        labelImage.setCalibration(cal);
        labelImage.getProcessor().resetMinAndMax();
        Tiffs.save(labelImage, dir.resolve("labels.tif"));
        if (keepProbabilities) {
            ImagePlus probs = new ImagePlus("probabilities", probabilityStack);
            probs.setDimensions(spec.classes().size(), 1, positions);
            probs.setCalibration(cal);
            Tiffs.save(probs, dir.resolve("probabilities.tif"));
        }
        LabelResults.saveZip(rois, dir.resolve("rois.zip"));
        LabelResults.saveCsv(rows, cal, dir.resolve("results.csv"));
        return objects;
    }

    private static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
