package org.cnnj.seg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.GraphAverage;

/**
 * Several segmentation models as one: their networks run on the same input and the mean of their outputs (logits) is
 * decoded as one model's would be. Members must agree on what they take and give — channels, classes, task,
 * normalization, the object size they were trained at — so the ensemble's sidecar can be theirs; it decodes with the
 * first member's split depth and decoding ({@code tune-seg} re-chooses them) and tiles with the largest halo. The file
 * is an ordinary model: every command, both engines and export take it. Apply time is the members' times added up.
 */
public final class SegmentationEnsemble {
    /** The provenance key that marks an ensemble (fine-tuning refuses it: its members are trained one by one). */
    public static final String PROVENANCE = "ensemble";

    private SegmentationEnsemble() {}

    /** Writes the ensemble of {@code models} to {@code destination} (.onnx) and its sidecar; returns the sidecar. */
    public static SegmentationSpec write(List<Path> models, Path destination) throws IOException {
        return write(models, destination, null);
    }

    /**
     * As {@link #write(List, Path)}, the outputs averaged with {@code weights} (one per model, positive, adding up to 1;
     * null: equal) — e.g. more of a member that copes better with dim or noisy images.
     */
    public static SegmentationSpec write(List<Path> models, Path destination, double[] weights) throws IOException {
        if (!destination.getFileName().toString().endsWith(".onnx"))
            throw new IllegalArgumentException("ensemble: the output must be a .onnx file, not " + destination);
        List<SegmentationModel> members = new ArrayList<>();
        for (Path m : models) members.add(SegmentationModel.resolve(m));
        SegmentationSpec spec = specOf(members, weights);
        List<GraphAverage.Member> graphs = new ArrayList<>();
        for (SegmentationModel m : members)
            graphs.add(new GraphAverage.Member(m.onnx().getFileName().toString(), Files.readAllBytes(m.onnx())));
        byte[] onnx = GraphAverage.average(graphs, weights);
        Path folder = destination.toAbsolutePath().getParent();
        AtomicFiles.createFolder(folder);
        AtomicFiles.write(destination, out -> out.write(onnx));
        spec.write(Sidecars.of(destination));
        return spec;
    }

    /**
     * The ensemble's sidecar ({@code weights}: as given to {@link #write(List, Path, double[])}), or an error naming the
     * member that differs from the first, and how.
     */
    static SegmentationSpec specOf(List<SegmentationModel> members, double[] weights) {
        if (members.size() < 2)
            throw new IllegalArgumentException("ensemble: give at least two models (--model A --model B)");
        SegmentationModel first = members.get(0);
        SegmentationSpec a = first.spec();
        int tileMultiple = a.tileMultiple(), halo = a.halo();
        Map<String, String> provenance = new LinkedHashMap<>();
        List<String> sources = new ArrayList<>();
        StringBuilder made = new StringBuilder("the mean of the outputs (logits) of " + members.size() + " models"
                + (weights == null ? "" : " weighted " + weightsText(weights)) + ":");
        for (int k = 0; k < members.size(); k++) {
            SegmentationModel m = members.get(k);
            SegmentationSpec b = m.spec();
            if (b.tensorIo() != null)
                throw new IllegalArgumentException("ensemble: " + name(m) + " is a model with its own axes or"
                        + " pre/postprocessing (bioimage.io); an ensemble averages models that CNN-J feeds as NCHW");
            same(first, m, "input channels", a.inputChannels(), b.inputChannels());
            same(first, m, "classes", a.classes(), b.classes());
            same(first, m, "task", a.task(), b.task());
            same(first, m, "output", a.output(), b.output());
            same(first, m, "normalization", a.normalization(), b.normalization());
            if (Math.abs(a.objectDiameter() - b.objectDiameter()) > 1e-6 * Math.max(1, a.objectDiameter()))
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "ensemble: %s was trained for objects"
                                + " %.1f px across and %s for %.1f px; members must share one object size (train with"
                                + " --diameter %.1f)",
                        name(first),
                        a.objectDiameter(),
                        name(m),
                        b.objectDiameter(),
                        a.objectDiameter()));
            tileMultiple = SegmentationSpec.commonMultiple(tileMultiple, b.tileMultiple());
            halo = Math.max(halo, b.halo());
            made.append(k == 0 ? " " : "; ").append(name(m));
            String command = b.provenance().get("command");
            if (command != null) made.append(" (").append(command).append(")");
            String data = b.provenance().get("data");
            if (data != null && !sources.contains(data)) sources.add(data);
        }
        provenance.put(PROVENANCE, made.toString());
        if (!sources.isEmpty()) provenance.put("data", String.join(" | ", sources)); // every member's citations
        provenance.put(
                "decoding",
                "split depth and decoding of " + name(first) + "; ./cnnj tune-seg chooses them for"
                        + " the ensemble on annotated images");
        provenance.put("date", Instant.now().toString());
        return new SegmentationSpec(
                a.format(),
                a.axes(),
                a.inputChannels(),
                a.classes(),
                a.output(),
                a.task(),
                a.normalization(),
                tileMultiple,
                (halo + tileMultiple - 1) / tileMultiple * tileMultiple,
                null, // no one U-Net: the Java engine rebuilds the graph node by node
                provenance,
                a.objectDiameter(),
                a.splitDepth(),
                a.decoding(),
                null);
    }

    /** "0.35, 0.65" as given. */
    private static String weightsText(double[] weights) {
        StringBuilder b = new StringBuilder();
        for (double w : weights) b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", w));
        return b.toString();
    }

    /** True for a model made by {@link #write}. */
    public static boolean isEnsemble(SegmentationSpec spec) {
        return spec.provenance().containsKey(PROVENANCE); // never null: the sidecar record makes it empty
    }

    private static void same(SegmentationModel first, SegmentationModel m, String what, Object a, Object b) {
        if (!Objects.equals(a, b))
            throw new IllegalArgumentException("ensemble: " + name(m) + " has " + what + " " + b + " but " + name(first)
                    + " has " + a + "; an ensemble averages models that take and give the same");
    }

    private static String name(SegmentationModel m) {
        return m.onnx().getFileName().toString();
    }
}
