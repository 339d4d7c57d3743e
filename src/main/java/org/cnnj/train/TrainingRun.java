package org.cnnj.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every training needs besides its task's network: the samples, the schedule, where checkpoints go
 * (last.ckpt / best.ckpt; resume continues from last.ckpt; null for none), how to stop it (set
 * {@code cancel}; null: cannot be stopped), who hears about it, what the exported model records of its making, and
 * the samples to validate on (null: a share of {@code data}, {@link TrainConfig#validationFraction()}; given, e.g. a
 * source held out whole, they choose the best epoch instead).
 *
 * @param <T> a task's sample (an image with labels, with boxes, with a class)
 */
public record TrainingRun<T>(
        List<T> data,
        TrainConfig config,
        Path checkpoints,
        AtomicBoolean cancel,
        TrainingListener listener,
        Map<String, String> provenance,
        List<T> validation) {
    /** A run on {@code data} with {@code config}: no checkpoints, no way to stop it, no listener, no provenance. */
    public static <T> TrainingRun<T> of(List<T> data, TrainConfig config) {
        return new TrainingRun<>(data, config, null, null, null, Map.of(), null);
    }

    /** The same run, with last/best checkpoints in {@code folder} (resumed from its last.ckpt). */
    public TrainingRun<T> withCheckpoints(Path folder) {
        return new TrainingRun<>(data, config, folder, cancel, listener, provenance, validation);
    }

    /** The same run, stopped at the next step once {@code flag} is set. */
    public TrainingRun<T> withCancel(AtomicBoolean flag) {
        return new TrainingRun<>(data, config, checkpoints, flag, listener, provenance, validation);
    }

    public TrainingRun<T> withListener(TrainingListener l) {
        return new TrainingRun<>(data, config, checkpoints, cancel, l, provenance, validation);
    }

    /** The same run, recording {@code made} (command, data, date) in its checkpoints and exported model. */
    public TrainingRun<T> withProvenance(Map<String, String> made) {
        return new TrainingRun<>(data, config, checkpoints, cancel, listener, made, validation);
    }

    /**
     * The same run, recording also where it started when it fine-tunes a model: the model's file and the command that
     * made it ({@code from}), and what that was trained on ({@code from_data}) — else a fine-tuned model's sidecar says
     * only what it was tuned on, not what it learnt before.
     */
    public TrainingRun<T> startedFrom(Path model, Map<String, String> made) {
        Map<String, String> p = new LinkedHashMap<>(provenance);
        String command = made.get("command");
        p.put("from", model.getFileName() + (command != null ? ": " + command : ""));
        for (String data : List.of("data", "images", "examples")) {
            if (made.containsKey(data)) {
                p.put("from_data", made.get(data));
                break;
            }
        }
        return withProvenance(p);
    }

    /**
     * Whether epochs are scored: on the validation samples given, or on a share of the data. A share of 0 without
     * them trains on every sample and scores nothing (scoring the training samples themselves costs time, not
     * information); the last epoch is then kept.
     */
    public boolean scored() {
        return validation != null || config.validationFraction() > 0;
    }

    /** The same run, validated on {@code samples}. */
    public TrainingRun<T> validatedOn(List<T> samples) {
        return new TrainingRun<>(data, config, checkpoints, cancel, listener, provenance, samples);
    }

    public TrainingRun {
        if (validation != null && validation.isEmpty())
            throw new IllegalArgumentException("training: the validation set is empty");
        if (data == null) throw new IllegalArgumentException("training: no samples");
        if (config == null) throw new IllegalArgumentException("training: no configuration");
        provenance = provenance == null ? Map.of() : provenance;
    }
}
