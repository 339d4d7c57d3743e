package org.cnnj.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pre- or postprocessing step in the bioimage.io specification's own words ({@code id} and {@code kwargs}, as a
 * format 0.5 description writes them), so a sidecar says what a package says and a user who knows the specification
 * reads it as it is. {@link Processing} runs a list of them. The ids: {@link #IDS}.
 *
 * <p>kwargs, as CNN-J keeps them (a 0.4 description's are brought to these by the reader): {@code axes} a list of the
 * axes statistics are taken over (a list with "channel" pools the channels, else each channel has its own); {@code eps}
 * (default 1e-6); zero_mean_unit_variance; fixed_zero_mean_unit_variance {@code mean}, {@code std} (one value, or a
 * list, one per channel); scale_range {@code min_percentile} (0), {@code max_percentile} (100), {@code
 * reference_tensor} (the model's input, when a postprocessing step names it); scale_linear {@code gain} (1), {@code
 * offset} (0) (a value or a list per channel); clip {@code min}, {@code max}; binarize {@code threshold} (a value or a
 * list per channel); ensure_dtype {@code dtype}; scale_mean_variance (to the model's input's mean and deviation); sigmoid;
 * softmax (over the channels).
 */
public record ProcessingStep(String id, Map<String, Object> kwargs) {
    /** The steps of the specification that CNN-J runs (all that it defines for images). */
    public static final List<String> IDS = List.of(
            "binarize",
            "clip",
            "ensure_dtype",
            "fixed_zero_mean_unit_variance",
            "scale_linear",
            "scale_mean_variance",
            "scale_range",
            "sigmoid",
            "softmax",
            "zero_mean_unit_variance");

    public ProcessingStep {
        if (id == null || !IDS.contains(id))
            throw new IllegalArgumentException("processing step \"" + id + "\" is not one of the bioimage.io"
                    + " specification's that CNN-J runs: " + String.join(", ", IDS));
        kwargs = kwargs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    }

    public static ProcessingStep of(String id) {
        return new ProcessingStep(id, Map.of());
    }

    /** A keyword argument as a number, or {@code otherwise} where absent. */
    double number(String key, double otherwise) {
        Object v = kwargs.get(key);
        if (v == null) return otherwise;
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(id + ": " + key + " must be a number, got " + v);
    }

    /** A keyword argument as one value per channel ({@code channels} of them; one value stands for all). */
    float[] perChannel(String key, double otherwise, int channels) {
        Object v = kwargs.get(key);
        float[] out = new float[channels];
        if (v == null || v instanceof Number) {
            Arrays.fill(out, (float) (v == null ? otherwise : ((Number) v).doubleValue()));
            return out;
        }
        if (v instanceof List<?> list && list.size() == 1 && list.get(0) instanceof Number n) {
            Arrays.fill(out, n.floatValue());
            return out;
        }
        if (v instanceof List<?> list && list.size() == channels) {
            for (int c = 0; c < channels; c++) {
                if (!(list.get(c) instanceof Number n))
                    throw new IllegalArgumentException(id + ": " + key + " must be numbers, got " + list.get(c));
                out[c] = n.floatValue();
            }
            return out;
        }
        throw new IllegalArgumentException(id + ": " + key + " has " + (v instanceof List<?> l ? l.size() : v)
                + " values but the tensor has " + channels + " channel(s); give one value or one per channel");
    }

    /** Statistics over all channels together ("channel" among the axes), else per channel. */
    boolean pooledChannels() {
        return kwargs.get("axes") instanceof List<?> axes && axes.contains("channel");
    }
}
