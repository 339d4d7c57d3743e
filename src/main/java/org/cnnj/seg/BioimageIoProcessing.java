package org.cnnj.seg;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.model.ProcessingStep;

/**
 * A description's pre- or postprocessing as CNN-J's {@link ProcessingStep}s: format 0.4's {@code name}, {@code mode}
 * and axis letters ("yx") and format 0.5's {@code id} and axis ids brought to one form, with the specification's
 * defaults written out (statistics over all axes where none are named, eps 1e-6), so {@link
 * org.cnnj.model.Processing} need not know which format a package had.
 */
final class BioimageIoProcessing {
    private BioimageIoProcessing() {}

    static List<ProcessingStep> steps(
            Object raw, boolean v05, List<BioimageIoDescription.Axis> axes, String tensor, boolean input, String where)
            throws IOException {
        if (raw == null) return List.of();
        List<ProcessingStep> out = new ArrayList<>();
        String kind = input ? "preprocessing" : "postprocessing";
        if (!(raw instanceof List<?> list))
            throw new IOException(where + ": " + tensor + "'s " + kind + " must be a list");
        for (Object o : list) {
            Map<String, Object> step = BioimageIo.map(o, kind + " of " + tensor, where);
            String id = String.valueOf(step.get(v05 ? "id" : "name"));
            Map<String, Object> kw = step.get("kwargs") == null
                    ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(BioimageIo.map(step.get("kwargs"), id + " kwargs", where));
            try {
                out.add(step(id, kw, axes, tensor, input));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + tensor + "'s " + kind + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static ProcessingStep step(
            String id, Map<String, Object> kw, List<BioimageIoDescription.Axis> axes, String tensor, boolean input) {
        String mode = String.valueOf(kw.getOrDefault("mode", "per_sample"));
        Map<String, Object> k = new LinkedHashMap<>();
        switch (id) {
            case "zero_mean_unit_variance" -> {
                if (mode.equals("fixed")) { // format 0.4's fixed statistics: 0.5's fixed_zero_mean_unit_variance
                    k.put("mean", kw.get("mean"));
                    k.put("std", kw.get("std"));
                    k.put("eps", kw.getOrDefault("eps", 1e-6));
                    return new ProcessingStep("fixed_zero_mean_unit_variance", k);
                }
                k.put("axes", axisTypes(kw.get("axes"), axes));
                k.put("eps", kw.getOrDefault("eps", 1e-6));
            }
            case "fixed_zero_mean_unit_variance" -> {
                k.put("mean", kw.get("mean"));
                k.put("std", kw.get("std"));
                k.put("eps", kw.getOrDefault("eps", 1e-6));
            }
            case "scale_range" -> {
                k.put("axes", axisTypes(kw.get("axes"), axes));
                k.put("min_percentile", kw.getOrDefault("min_percentile", 0.0));
                k.put("max_percentile", kw.getOrDefault("max_percentile", 100.0));
                k.put("eps", kw.getOrDefault("eps", 1e-6));
                Object ref = kw.get("reference_tensor");
                if (ref != null && !ref.equals(tensor)) {
                    if (input)
                        throw new IllegalArgumentException("scale_range refers to tensor " + ref
                                + "; CNN-J's models have one input, whose own range it takes");
                    k.put("reference_tensor", String.valueOf(ref));
                }
            }
            case "scale_mean_variance" -> {
                if (input)
                    throw new IllegalArgumentException("scale_mean_variance is a postprocessing step (it matches the"
                            + " output to the input); the description uses it in preprocessing");
                k.put("axes", axisTypes(kw.get("axes"), axes));
                k.put("eps", kw.getOrDefault("eps", 1e-6));
                k.put("reference_tensor", String.valueOf(kw.get("reference_tensor")));
            }
            case "scale_linear" -> {
                k.put("gain", kw.getOrDefault("gain", 1.0));
                k.put("offset", kw.getOrDefault("offset", 0.0));
            }
            case "binarize" -> k.put("threshold", kw.get("threshold"));
            case "clip" -> {
                if (kw.get("min") != null) k.put("min", kw.get("min"));
                if (kw.get("max") != null) k.put("max", kw.get("max"));
                if (k.isEmpty()) throw new IllegalArgumentException("clip gives neither min nor max");
            }
            case "ensure_dtype" -> k.put("dtype", String.valueOf(kw.getOrDefault("dtype", "float32")));
            case "sigmoid", "softmax" -> {}
            default ->
                throw new IllegalArgumentException("step \"" + id + "\" is not one the bioimage.io"
                        + " specification defines for images (CNN-J runs " + String.join(", ", ProcessingStep.IDS)
                        + "); apply it to the images yourself, or ask the model's authors");
        }
        if (mode.equals("per_dataset"))
            k.put("note", "per_dataset statistics are measured on each image (CNN-J has no dataset to measure)");
        return new ProcessingStep(id, k);
    }

    /**
     * The axes statistics are taken over, as axis types ("batch", "channel", "y", "x"): format 0.4's letters ("yx",
     * "cyx"), format 0.5's ids (whatever the tensor calls its axes); none named means all of them.
     */
    static List<String> axisTypes(Object named, List<BioimageIoDescription.Axis> axes) {
        List<String> out = new ArrayList<>();
        if (named == null) {
            for (BioimageIoDescription.Axis a : axes) out.add(type(a));
            return out;
        }
        if (named instanceof String letters) {
            for (char c : letters.toCharArray())
                for (BioimageIoDescription.Axis a : axes) if (a.letter() == c) out.add(type(a));
            return out;
        }
        if (named instanceof List<?> ids) {
            for (Object id : ids)
                for (BioimageIoDescription.Axis a : axes) if (a.id().equals(String.valueOf(id))) out.add(type(a));
            return out;
        }
        throw new IllegalArgumentException("axes must be a list of axis ids, got " + named);
    }

    private static String type(BioimageIoDescription.Axis a) {
        return switch (a.letter()) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            default -> a.id();
        };
    }
}
