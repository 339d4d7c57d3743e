package org.cnnj.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.cnnj.cls.Architecture;
import org.cnnj.cls.ClassifierConfig;
import org.cnnj.cls.ClassifierTrainer;
import org.cnnj.cls.CropAugmentation;
import org.cnnj.cls.LabeledCrop;
import org.cnnj.model.Normalization;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Parallel;

/**
 * {@code ./cnnj bench classify [--data DIR] [--lenet-epochs 10] [--resnet-epochs 2] [--width 0.25] [--torch]}:
 * LeNet-5 and a small ResNet-18 (width 0.25, small-crop stem) trained by CNN-J on Fashion-MNIST (Debian's
 * dataset-fashion-mnist, read where it installs) and, with --torch, by PyTorch with the same recipe in the same run
 * (src/test/python/bench_cls_torch.py): AdamW lr 1e-3, weight decay 1e-4, batch 128, warm-up + cosine, 59,000
 * training images (1,000 held out), pixels / 255, no augmentation. Prints test accuracy (10,000 images) and seconds
 * per epoch side by side.
 */
public final class ClassifierBench {
    static final List<String> CLASSES = List.of(
            "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    private ClassifierBench() {}

    static Map<String, Object> run(Path data, int lenetEpochs, int resnetEpochs, double width, boolean torch, long seed)
            throws IOException, InterruptedException {
        List<LabeledCrop> train = read(data, "train"), test = read(data, "t10k");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "classify fashion-mnist");
        r.put("threads", Parallel.threads());
        r.put("seed", seed);
        r.put("lenet5", one(Architecture.LENET5, 1, lenetEpochs, train, test, torch, data, seed));
        if (resnetEpochs > 0)
            r.put(
                    "resnet18_w" + width,
                    one(Architecture.RESNET18, width, resnetEpochs, train, test, torch, data, seed));
        return r;
    }

    private static Map<String, Object> one(
            Architecture a,
            double width,
            int epochs,
            List<LabeledCrop> train,
            List<LabeledCrop> test,
            boolean torch,
            Path data,
            long seed)
            throws IOException, InterruptedException {
        ClassifierConfig c = new ClassifierConfig(a, 1, CLASSES, 28, width, 0);
        int batch = 128, steps = (59_000 + batch - 1) / batch;
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, steps)
                .withBatches(batch, 28)
                .withLearningRate(1e-3)
                .withValidation(1.0 / 60)
                .withPatience(0)
                .withSeed(seed);
        ClassifierTrainer.Options o = new ClassifierTrainer.Options(
                ClassifierTrainer.OptimizerKind.ADAMW, 1e-4, 0, false, CropAugmentation.NONE, Normalization.none());
        List<Double> seconds = new ArrayList<>();
        double[] last = {0};
        TrainingListener timing = new TrainingListener() {
            public void epoch(EpochReport e) {
                seconds.add(e.seconds() - last[0]);
                last[0] = e.seconds();
                System.err.println(a.option() + " " + e.line());
            }
        };
        ClassifierTrainer.Result result =
                ClassifierTrainer.train(TrainingRun.of(train, cfg).withListener(timing), c, null, o);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("parameters", result.model().parameterCount());
        r.put("epochs", epochs);
        r.put(
                "cnnj_test_accuracy",
                ClassifierTrainer.evaluate(result.model(), test).accuracy());
        r.put(
                "cnnj_seconds_per_epoch",
                seconds.stream().mapToDouble(Double::doubleValue).toArray());
        if (torch) {
            Map<String, Object> t = torch(a, width, epochs, data, seed);
            r.putAll(t);
            if (t.containsKey("torch_seconds_per_epoch_mean")) {
                double ours = seconds.stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElse(Double.NaN);
                r.put("speed_vs_torch", (Double) t.get("torch_seconds_per_epoch_mean") / ours);
                r.put(
                        "accuracy_points_vs_torch",
                        100 * ((Double) r.get("cnnj_test_accuracy") - (Double) t.get("torch_test_accuracy")));
            }
        }
        return r;
    }

    /** The dev-only PyTorch run of the same recipe, or a note saying why there is none. */
    private static Map<String, Object> torch(Architecture a, double width, int epochs, Path data, long seed)
            throws IOException, InterruptedException {
        Path script = Path.of("src/test/python/bench_cls_torch.py");
        Map<String, Object> r = new LinkedHashMap<>();
        if (!Files.exists(script) || !Files.exists(Path.of("/usr/bin/python3"))) {
            r.put("torch", "unavailable (needs the source tree and /usr/bin/python3 with python3-torch)");
            return r;
        }
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        script.toString(),
                        "--data",
                        data.toString(),
                        "--arch",
                        a.option(),
                        "--width",
                        "" + width,
                        "--epochs",
                        "" + epochs,
                        "--threads",
                        "" + Parallel.threads(),
                        "--seed",
                        "" + seed)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher acc = Pattern.compile("\"test_accuracy\":\\s*([0-9.eE+-]+)").matcher(out);
        Matcher sec =
                Pattern.compile("\"seconds_per_epoch\":\\s*\\[([^\\]]*)\\]").matcher(out);
        if (p.waitFor() != 0 || !acc.find() || !sec.find()) {
            r.put("torch", "failed: " + out.strip());
            return r;
        }
        double sum = 0;
        String[] parts = sec.group(1).split(",");
        for (String s : parts) sum += Double.parseDouble(s.trim());
        r.put("torch_test_accuracy", Double.parseDouble(acc.group(1)));
        r.put("torch_seconds_per_epoch_mean", sum / parts.length);
        return r;
    }

    /** Fashion-MNIST's IDX files (gzip): images as 28×28 crops of pixels / 255 with their labels. */
    static List<LabeledCrop> read(Path dir, String split) throws IOException {
        Path images = dir.resolve(split + "-images-idx3-ubyte.gz"),
                labels = dir.resolve(split + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IOException("Fashion-MNIST not found in " + dir + " (" + images.getFileName()
                    + "); apt-get install dataset-fashion-mnist, or give --data DIR");
        }
        byte[] px = gunzip(images), lb = gunzip(labels);
        int n = lb.length - 8;
        List<LabeledCrop> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] v = new float[28 * 28];
            for (int j = 0; j < v.length; j++) v[j] = (px[16 + i * 784 + j] & 0xff) / 255f;
            out.add(new LabeledCrop(split + " " + i, v, 1, 28, lb[8 + i]));
        }
        return out;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
            return in.readAllBytes();
        }
    }
}
