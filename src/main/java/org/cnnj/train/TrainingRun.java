package org.cnnj.train;

import java.nio.file.Path;
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
    public TrainingRun(
            List<T> data,
            TrainConfig config,
            Path checkpoints,
            AtomicBoolean cancel,
            TrainingListener listener,
            Map<String, String> provenance) {
        this(data, config, checkpoints, cancel, listener, provenance, null);
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
