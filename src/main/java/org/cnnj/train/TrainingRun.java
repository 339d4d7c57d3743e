package org.cnnj.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every training needs besides its task's network: the samples, the schedule, where checkpoints go
 * (last.ckpt / best.ckpt; resume continues from last.ckpt; null for none), how to stop it (set
 * {@code cancel}; null: cannot be stopped), who hears about it, and what the exported model records of its making.
 *
 * @param <T> a task's sample (an image with labels, with boxes, with a class)
 */
public record TrainingRun<T>(
        List<T> data,
        TrainConfig config,
        Path checkpoints,
        AtomicBoolean cancel,
        TrainingListener listener,
        Map<String, String> provenance) {
    public TrainingRun {
        if (data == null) throw new IllegalArgumentException("training: no samples");
        if (config == null) throw new IllegalArgumentException("training: no configuration");
        provenance = provenance == null ? Map.of() : provenance;
    }
}
