package org.cnnj.train;

/**
 * How to train, for every task: the schedule, batches and patches, the validation share, early stopping, the seed,
 * fine-tuning and weight averaging. Start from {@link #defaults()} (or a task's defaults) and change what differs with
 * the withers; what only one task has (a segmentation's object size, elastic deformation) is in that task's recipe.
 *
 * @param epochs          at most this many epochs
 * @param stepsPerEpoch   optimizer steps per epoch
 * @param batch           patches per step
 * @param patch           patch height and width (a multiple of the network's size multiple)
 * @param learningRate    Adam's base rate (cosine decay after a short warm-up)
 * @param validationFraction share of images held out for validation (at least one image when > 0)
 * @param patience        stop after this many epochs without a better validation score (0 = never)
 * @param seed            makes sampling, augmentation and initialization repeatable
 * @param freezeEncoder   when fine-tuning, train only the decoder and head
 * @param averaging       decay of an exponential moving average of the weights that is validated, kept and saved
 *                        instead of the last step's (0 = off; 0.999 averages over ~1,000 steps): it smooths the
 *                        step-to-step noise of the final weights, as timm's ModelEma and Polyak averaging do
 * @param keepLast        keep the last epoch's model instead of the best-validated one: for a run whose validation
 *                        images come from the sources it trains on, where choosing an epoch by them would tune the model
 *                        to those sources (the score is still reported every epoch)
 */
public record TrainConfig(
        int epochs,
        int stepsPerEpoch,
        int batch,
        int patch,
        double learningRate,
        double validationFraction,
        int patience,
        long seed,
        boolean freezeEncoder,
        double averaging,
        boolean keepLast,
        TrainEngine engine) {
    public TrainConfig {
        if (engine == null) throw new IllegalArgumentException("training: engine must be auto, java or ort");
        if (epochs < 1 || stepsPerEpoch < 1 || batch < 1) {
            throw new IllegalArgumentException("training: epochs, steps per epoch and batch must be at least 1");
        }
        if (patch < 8) throw new IllegalArgumentException("training: patch must be at least 8 pixels, got " + patch);
        if (!(learningRate > 0 && learningRate < 1))
            throw new IllegalArgumentException("training: learning rate must be in (0, 1), got " + learningRate);
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException(
                    "training: validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (patience < 0) throw new IllegalArgumentException("training: patience must be >= 0");
        if (!(averaging == 0 || (averaging >= 0.9 && averaging < 1))) {
            throw new IllegalArgumentException(
                    "training: weight averaging must be 0 (off) or a decay in [0.9, 1), e.g. 0.999; got " + averaging);
        }
    }

    /** 20 epochs of 50 steps of 8 patches of 128 px, rate 0.002, 20% validation, patience 5, seed 1. */
    public static TrainConfig defaults() {
        return new TrainConfig(20, 50, 8, 128, 2e-3, 0.2, 5, 1, false, 0, false, TrainEngine.AUTO);
    }

    /** {@code epochs} epochs of {@code steps} steps. */
    public TrainConfig withSchedule(int epochs, int steps) {
        return new TrainConfig(
                epochs,
                steps,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                averaging,
                keepLast,
                engine);
    }

    /** Batches of {@code batch} patches of {@code patch} px. */
    public TrainConfig withBatches(int batch, int patch) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                averaging,
                keepLast,
                engine);
    }

    public TrainConfig withLearningRate(double rate) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                rate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                averaging,
                keepLast,
                engine);
    }

    public TrainConfig withValidation(double fraction) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                fraction,
                patience,
                seed,
                freezeEncoder,
                averaging,
                keepLast,
                engine);
    }

    public TrainConfig withPatience(int epochsWithoutImprovement) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                epochsWithoutImprovement,
                seed,
                freezeEncoder,
                averaging,
                keepLast,
                engine);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                s,
                freezeEncoder,
                averaging,
                keepLast,
                engine);
    }

    public TrainConfig withFreezeEncoder(boolean freeze) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freeze,
                averaging,
                keepLast,
                engine);
    }

    public TrainConfig withAveraging(double decay) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                decay,
                keepLast,
                engine);
    }

    /** Which engine computes the steps (auto: ONNX Runtime where CUDA works, else Java). */
    public TrainConfig withEngine(TrainEngine e) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                averaging,
                keepLast,
                e);
    }

    public TrainConfig withKeepLast(boolean last) {
        return new TrainConfig(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                averaging,
                last,
                engine);
    }
}
