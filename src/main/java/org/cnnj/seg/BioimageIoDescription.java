package org.cnnj.seg;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.model.Normalization;
import org.cnnj.model.ProcessingStep;
import org.cnnj.runtime.AxisOrder;
import org.cnnj.runtime.TiledPredictor;

/**
 * A bioimage.io model description (format 0.4 or 0.5) as the CNN-J sidecar that applies it: both formats are read
 * into one picture of the input and output tensors — their axes (with the specification's default ids: a space axis
 * without one is x), sizes (fixed, min + k·step, or another tensor's), halos, channel names and processing steps —
 * from which the sidecar's channels, classes, tiling and {@link TensorIo} follow.
 */
final class BioimageIoDescription {
    /** How an axis's size is given. */
    sealed interface Size {}

    /** Exactly {@code n}. */
    record Fixed(int n) implements Size {}

    /** {@code min + k·step}. */
    record Free(int min, int step) implements Size {}

    /** {@code scale} times the size of {@code axis} of {@code tensor}, plus {@code offset}. */
    record Reference(String tensor, String axis, double scale, double offset) implements Size {}

    /** Not given (a batch axis), or known only after running (refused where it matters). */
    record Open() implements Size {}

    /** One axis: its letter (b, c, y, x), its id, size, halo and physical scale. */
    record Axis(char letter, String id, Size size, int halo, double scale) {}

    /** One tensor as both formats describe it. */
    record Tensor(String id, List<Axis> axes, List<String> channelNames, List<ProcessingStep> processing) {
        String letters() {
            StringBuilder sb = new StringBuilder();
            for (Axis a : axes) sb.append(a.letter());
            return sb.toString();
        }

        Axis axis(char letter) {
            for (Axis a : axes) if (a.letter() == letter) return a;
            return null;
        }
    }

    private BioimageIoDescription() {}

    /** The sidecar that applies the described model; {@code where} names the description in messages. */
    static SegmentationSpec describe(Map<String, Object> rdf, String where) throws IOException {
        String version = String.valueOf(rdf.get("format_version"));
        boolean v05 = version.startsWith("0.5.");
        if (!v05 && !version.startsWith("0.4.")) {
            throw new IOException(where + " is of format " + version + "; CNN-J reads bioimage.io model descriptions"
                    + " of formats 0.4 and 0.5");
        }
        List<Object> inputs = list(rdf.get("inputs"), "inputs", where),
                outputs = list(rdf.get("outputs"), "outputs", where);
        if (inputs.size() != 1)
            throw new IOException(where + ": the model takes " + inputs.size() + " inputs (" + ids(inputs, v05)
                    + "); CNN-J runs models that take one image");
        if (outputs.size() != 1)
            throw new IOException(where + ": the model gives " + outputs.size() + " outputs (" + ids(outputs, v05)
                    + "); CNN-J runs models that give one image (semantic classes or probabilities)");
        Tensor in = tensor(BioimageIo.map(inputs.get(0), "inputs", where), v05, null, where);
        Tensor out = tensor(BioimageIo.map(outputs.get(0), "outputs", where), v05, in, where);
        for (Tensor t : List.of(in, out)) {
            try {
                AxisOrder.check(t.letters());
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": tensor " + t.id() + " has axes " + axisNames(t) + "; CNN-J runs 2-D"
                        + " models (axes batch, channel, y and x; z and time are not supported yet)");
            }
        }
        TiledPredictor.Sizes height = sizes(in.axis('y'), in, where), width = sizes(in.axis('x'), in, where);
        for (TiledPredictor.Sizes size : List.of(height, width))
            if (size.min() > MAX_SIDE || size.step() > MAX_SIDE)
                throw new IOException(where + ": input " + in.id() + " declares sides of " + size + " px; no 2-D"
                        + " model takes tiles over " + MAX_SIDE + " px: the description is damaged or not for"
                        + " images (check its axes' sizes)");
        for (char c : new char[] {'y', 'x'}) sameSize(out.axis(c), in, where);
        int halo = Math.max(out.axis('y').halo(), out.axis('x').halo());
        boolean fixed = height.fixed() || width.fixed();
        int multiple = fixed ? 1 : multiple(height, width);
        int roundedHalo = (halo + multiple - 1) / multiple * multiple;
        if (fixed && 2 * roundedHalo >= Math.min(height.min(), width.min()))
            throw new IOException(where + ": a halo of " + halo + " px leaves nothing of the " + height.min() + " × "
                    + width.min() + " px input; the description's halo must be under half the input size");
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("bioimage.io", String.valueOf(rdf.get("name")));
        if (rdf.get("id") != null) provenance.put("bioimage.io id", String.valueOf(rdf.get("id")));
        provenance.put("format", version);
        provenance.put("imported from", where);
        TensorIo io = new TensorIo(in.letters(), out.letters(), height, width, in.processing(), out.processing());
        return new SegmentationSpec(
                1,
                "NCHW",
                in.axis('c') == null ? 1 : in.channelNames().size(),
                out.channelNames(),
                "probabilities",
                SegmentationTask.SEMANTIC,
                Normalization.none(),
                multiple,
                roundedHalo,
                null,
                provenance,
                0,
                0,
                null,
                io);
    }

    /** The tile multiple of min + k·step sides: the step when min is a multiple of it (tiles then line up), else 1. */
    private static int multiple(TiledPredictor.Sizes height, TiledPredictor.Sizes width) {
        int m = 1;
        for (TiledPredictor.Sizes s : List.of(height, width))
            if (s.step() > 1 && s.min() % s.step() == 0) m = SegmentationSpec.commonMultiple(m, s.step());
        return m;
    }

    private static TiledPredictor.Sizes sizes(Axis a, Tensor t, String where) throws IOException {
        if (a.size() instanceof Fixed f) return new TiledPredictor.Sizes(f.n(), 0);
        if (a.size() instanceof Free f)
            return f.step() == 0 ? new TiledPredictor.Sizes(f.min(), 0) : new TiledPredictor.Sizes(f.min(), f.step());
        if (a.size() instanceof Open) return TiledPredictor.Sizes.ANY;
        throw new IOException(where + ": input " + t.id() + "'s " + a.id() + " size refers to another tensor;"
                + " CNN-J runs models whose input takes a size of its own");
    }

    /** Refuses an output whose side is not the input's (scaled, or cropped by valid convolutions). */
    private static void sameSize(Axis o, Tensor in, String where) throws IOException {
        Axis i = in.axis(o.letter());
        boolean same;
        String what;
        if (o.size() instanceof Reference r) {
            Axis referred = in.axes().stream()
                    .filter(a -> a.id().equals(r.axis()))
                    .findFirst()
                    .orElse(i);
            double scale = r.scale() * referred.scale() / o.scale();
            same = (r.tensor() == null || r.tensor().equals(in.id())) && Math.abs(scale - 1) < 1e-9 && r.offset() == 0;
            what = String.format(
                    Locale.ROOT,
                    "%s × the input's %s %s %s px",
                    trim(scale),
                    r.axis(),
                    r.offset() < 0 ? "−" : "+",
                    trim(Math.abs(r.offset())));
        } else if (o.size() instanceof Fixed f) {
            same = i.size() instanceof Fixed g && g.n() == f.n();
            what = f.n() + " px";
        } else if (o.size() instanceof Open) {
            same = true; // a size known only after running: the engine's output check names a mismatch
            what = "";
        } else {
            same = o.size().equals(i.size());
            what = o.size().toString();
        }
        if (!same)
            throw new IOException(where + ": the output's " + o.id() + " side is " + what + ", not the input's; CNN-J"
                    + " runs models whose output has the input's size (image to image, per pixel)");
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String axisNames(Tensor t) {
        List<String> names = new ArrayList<>();
        for (Axis a : t.axes()) names.add(a.id());
        return String.join(", ", names);
    }

    private static String ids(List<Object> tensors, boolean v05) {
        List<String> names = new ArrayList<>();
        for (Object o : tensors) if (o instanceof Map<?, ?> m) names.add(String.valueOf(m.get(v05 ? "id" : "name")));
        return String.join(", ", names);
    }

    /** A tensor of either format; {@code input} null for the input, else the input (an output's sizes refer to it). */
    static Tensor tensor(Map<String, Object> t, boolean v05, Tensor input, String where) throws IOException {
        boolean isInput = input == null;
        String id = String.valueOf(t.getOrDefault(v05 ? "id" : "name", isInput ? "input" : "output"));
        List<Axis> axes = v05 ? axes05(t, id, where) : axes04(t, id, where);
        List<String> names = new ArrayList<>();
        Axis channel = null;
        for (Axis a : axes) if (a.letter() == 'c') channel = a;
        if (v05 && t.get("axes") instanceof List<?> list) {
            for (Object o : list)
                if (o instanceof Map<?, ?> m
                        && "channel".equals(m.get("type"))
                        && m.get("channel_names") instanceof List<?> n)
                    for (Object name : n) names.add(String.valueOf(name));
        }
        if (names.size() > MAX_CHANNELS)
            throw new IOException(where + ": tensor " + id + " names " + names.size() + " channels; a model takes and"
                    + " gives 1 to " + MAX_CHANNELS + ": the description is damaged");
        if (names.isEmpty()) {
            int n = channel == null ? 1 : channelCount(channel, id, input, where);
            for (int c = 0; c < n; c++) names.add(n == 1 ? id : id + c);
        }
        List<ProcessingStep> steps = BioimageIoProcessing.steps(
                t.get(isInput ? "preprocessing" : "postprocessing"), v05, axes, id, isInput, where);
        return new Tensor(id, axes, names, steps);
    }

    /** The largest tile side a description may declare (a 16k × 16k float tile is already 1 GB per channel). */
    static final int MAX_SIDE = 16_384;

    /** The most channels a tensor may declare: more is a damaged description, not a microscope. */
    static final int MAX_CHANNELS = 1024;

    private static int channelCount(Axis channel, String tensor, Tensor input, String where) throws IOException {
        int n = declaredChannels(channel, tensor, input, where);
        if (n < 1 || n > MAX_CHANNELS)
            throw new IOException(where + ": tensor " + tensor + " declares " + n + " channels; a model takes and gives"
                    + " 1 to " + MAX_CHANNELS + ": the description is damaged (check its channel axis)");
        return n;
    }

    private static int declaredChannels(Axis channel, String tensor, Tensor input, String where) throws IOException {
        if (channel.size() instanceof Fixed f) return f.n();
        if (channel.size() instanceof Free f && f.step() == 0) return f.min();
        if (channel.size() instanceof Reference r && (r.scale() == 0 || input != null)) {
            int referred = r.scale() == 0 ? 0 : input.channelNames().size(); // 0.4: input channels × scale + 2·offset
            return (int) Math.round(referred * r.scale() + r.offset());
        }
        throw new IOException(where + ": tensor " + tensor + "'s channel count is not fixed; CNN-J needs to know"
                + " how many channels a model takes and gives");
    }

    /** Format 0.5: a list of axis objects, ids defaulting by type (a space axis is x). */
    private static List<Axis> axes05(Map<String, Object> t, String tensor, String where) throws IOException {
        List<Axis> axes = new ArrayList<>();
        for (Object o : list(t.get("axes"), "axes of " + tensor, where)) {
            Map<String, Object> a = BioimageIo.map(o, "an axis of " + tensor, where);
            String type = String.valueOf(a.get("type"));
            String id = a.get("id") == null ? (type.equals("space") ? "x" : type) : String.valueOf(a.get("id"));
            char letter = switch (type) {
                case "batch" -> 'b';
                case "channel" -> 'c';
                case "space" -> id.equals("y") ? 'y' : id.equals("x") ? 'x' : 'z';
                default -> type.isEmpty() ? '?' : type.charAt(0);
            };
            Size size;
            if (type.equals("channel")) {
                size = a.get("channel_names") instanceof List<?> names
                        ? new Fixed(names.size())
                        : a.get("size") instanceof Number n ? new Fixed(n.intValue()) : new Open();
            } else size = size05(a.get("size"), tensor, id, where);
            axes.add(new Axis(letter, id, size, integer(a.get("halo"), 0), number(a.get("scale"), 1)));
        }
        return axes;
    }

    private static Size size05(Object size, String tensor, String axis, String where) throws IOException {
        if (size == null) return new Open();
        if (size instanceof Number n) return new Fixed(n.intValue());
        Map<String, Object> m = BioimageIo.map(size, tensor + "'s " + axis + " size", where);
        if (m.containsKey("min") && m.containsKey("step"))
            return new Free(integer(m.get("min"), 1), integer(m.get("step"), 0));
        if (m.containsKey("tensor_id") || m.containsKey("axis_id"))
            return new Reference(
                    m.get("tensor_id") == null ? null : String.valueOf(m.get("tensor_id")),
                    String.valueOf(m.getOrDefault("axis_id", axis)),
                    1,
                    number(m.get("offset"), 0));
        if (m.containsKey("min")) return new Open(); // a data-dependent size (min, max)
        throw new IOException(where + ": " + tensor + "'s " + axis + " size " + m + " is none the specification"
                + " defines (a number, {min, step}, or {tensor_id, axis_id})");
    }

    /** Format 0.4: axes as letters ("bcyx") with a shape list, {min, step} or {reference_tensor, scale, offset}. */
    private static List<Axis> axes04(Map<String, Object> t, String tensor, String where) throws IOException {
        if (!(t.get("axes") instanceof String letters) || letters.isEmpty())
            throw new IOException(where + ": tensor " + tensor + " has no axes (format 0.4 writes them as \"bcyx\")");
        Object shape = t.get("shape");
        List<Object> halo = t.get("halo") instanceof List<?> h ? new ArrayList<>(h) : List.of();
        List<Axis> axes = new ArrayList<>();
        for (int i = 0; i < letters.length(); i++) {
            char letter = letters.charAt(i);
            String id = switch (letter) {
                case 'b' -> "batch";
                case 'c' -> "channel";
                case 'i' -> "index";
                case 't' -> "time";
                default -> String.valueOf(letter);
            };
            Size size;
            if (shape instanceof List<?> fixed) size = new Fixed(integer(at(fixed, i, tensor, where), 1));
            else if (shape instanceof Map<?, ?> m && m.containsKey("min"))
                size = new Free(
                        integer(at(listOf(m.get("min")), i, tensor, where), 1),
                        integer(at(listOf(m.get("step")), i, tensor, where), 0));
            else if (shape instanceof Map<?, ?> m && m.containsKey("reference_tensor"))
                size = new Reference(
                        String.valueOf(m.get("reference_tensor")),
                        id,
                        number(at(listOf(m.get("scale")), i, tensor, where), 1),
                        2 * number(at(listOf(m.get("offset")), i, tensor, where), 0));
            else
                throw new IOException(where + ": tensor " + tensor + " has no shape the 0.4 specification defines"
                        + " (a list, {min, step} or {reference_tensor, scale, offset})");
            axes.add(new Axis(letter, id, size, i < halo.size() ? integer(halo.get(i), 0) : 0, 1));
        }
        return axes;
    }

    private static List<?> listOf(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static Object at(List<?> values, int i, String tensor, String where) throws IOException {
        if (i >= values.size())
            throw new IOException(where + ": tensor " + tensor + "'s shape has fewer entries than its axes");
        return values.get(i);
    }

    static List<Object> list(Object o, String field, String where) throws IOException {
        if (o instanceof List<?> l && !l.isEmpty()) return new ArrayList<>(l);
        throw new IOException(where + ": " + field + " is missing or empty");
    }

    static int integer(Object o, int otherwise) {
        return o instanceof Number n ? n.intValue() : otherwise;
    }

    static double number(Object o, double otherwise) {
        return o instanceof Number n ? n.doubleValue() : otherwise;
    }
}
