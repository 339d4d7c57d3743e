package org.cnnj.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.io.Checkpoint;
import org.cnnj.nn.Module;
import org.cnnj.optim.Optimizer;

/**
 * A training's checkpoint folder: last.ckpt after every epoch (weights and optimizer state, to resume from), best.ckpt
 * when the validation score improved, average.ckpt beside them when weights are averaged; each carries the run's
 * provenance, the epoch and the best score so far under the task's key. No folder (null): nothing is saved.
 */
final class Checkpoints {
    /** The averaged weights beside last.ckpt, when training averages them. */
    static final String AVERAGE = "average.ckpt";

    /** Where a run starts: its first epoch, the best score so far and the weights that made it. */
    record Resumed(int firstEpoch, double best, Map<String, float[]> bestWeights) {}

    private final Path folder;
    private final String bestKey;
    private final Map<String, String> provenance;

    Checkpoints(Path folder, String bestKey, Map<String, String> provenance) {
        this.folder = folder;
        this.bestKey = bestKey;
        this.provenance = provenance == null ? Map.of() : provenance;
    }

    /**
     * Loads last.ckpt into the network and optimizer when there is one; on resume the best model so far is in
     * best.ckpt, not in the last epoch's weights just loaded.
     */
    Resumed resume(Module net, Optimizer optimizer) throws IOException {
        if (folder == null || !Files.exists(folder.resolve("last.ckpt")))
            return new Resumed(1, -1, Weights.snapshot(net));
        Checkpoint.Contents c = Checkpoint.load(folder.resolve("last.ckpt"), net, optimizer);
        int first = Integer.parseInt(c.meta().getOrDefault("epoch", "0")) + 1;
        double best = Double.parseDouble(c.meta().getOrDefault(bestKey, "-1"));
        Map<String, float[]> bestWeights = first > 1 && Files.exists(folder.resolve("best.ckpt"))
                ? Weights.snapshot(Checkpoint.read(folder.resolve("best.ckpt")))
                : Weights.snapshot(net);
        return new Resumed(first, best, bestWeights);
    }

    /** A new average at the current weights, or on resume the saved one (made over the epochs already run). */
    WeightAverage average(Module net, TrainConfig cfg, int firstEpoch) throws IOException {
        boolean saved = folder != null && firstEpoch > 1 && Files.exists(folder.resolve(AVERAGE));
        return new WeightAverage(
                net,
                cfg.averaging(),
                saved ? Weights.snapshot(Checkpoint.read(folder.resolve(AVERAGE))) : Weights.snapshot(net),
                saved ? (long) (firstEpoch - 1) * cfg.stepsPerEpoch() : 0);
    }

    /** The weights just validated: best.ckpt when they improved, average.ckpt when they are the average. */
    void saveEvaluated(Module net, int epoch, double best, boolean improved, boolean averaged) throws IOException {
        if (folder == null) return;
        if (improved) Checkpoint.save(folder.resolve("best.ckpt"), net, null, meta(epoch, best));
        if (averaged) Checkpoint.save(folder.resolve(AVERAGE), net, null, meta(epoch, best));
    }

    /** The weights training goes on from, with the optimizer's state. */
    void saveLast(Module net, Optimizer optimizer, int epoch, double best) throws IOException {
        if (folder != null) Checkpoint.save(folder.resolve("last.ckpt"), net, optimizer, meta(epoch, best));
    }

    private Map<String, String> meta(int epoch, double best) {
        Map<String, String> meta = new LinkedHashMap<>(provenance);
        meta.put("epoch", String.valueOf(epoch));
        meta.put(bestKey, String.valueOf(best));
        return meta;
    }
}
