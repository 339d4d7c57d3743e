package org.cnnj.train;

/**
 * How to train a segmentation U-Net.
 *
 * @param epochs          at most this many epochs
 * @param stepsPerEpoch   optimizer steps per epoch
 * @param batch           patches per step
 * @param patch           patch height and width (a multiple of 2^depth)
 * @param learningRate    Adam's base rate (cosine decay after a short warm-up)
 * @param validationFraction share of images held out for validation (at least one image when > 0)
 * @param patience        stop after this many epochs without a better validation score (0 = never)
 * @param seed            makes sampling, augmentation and initialization repeatable
 * @param freezeEncoder   when fine-tuning, train only the decoder and head
 * @param elastic         elastic deformation of half the patches, in pixels (0 = off; segmentation)
 * @param diameter        object diameter in pixels that every training image is rescaled to (instances-distance
 *                        segmentation); 0 = the median of the images' own median object diameters
 * @param averaging       decay of an exponential moving average of the weights that is validated, kept and saved
 *                        instead of the last step's (0 = off; 0.999 averages over ~1,000 steps): it smooths the
 *                        step-to-step noise of the final weights, as timm's ModelEma and Polyak averaging do
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
        float elastic,
        double diameter,
        double averaging) {
    public TrainConfig(
            int epochs,
            int stepsPerEpoch,
            int batch,
            int patch,
            double learningRate,
            double validationFraction,
            int patience,
            long seed,
            boolean freezeEncoder,
            float elastic,
            double diameter) {
        this(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                elastic,
                diameter,
                0);
    }

    public TrainConfig(
            int epochs,
            int stepsPerEpoch,
            int batch,
            int patch,
            double learningRate,
            double validationFraction,
            int patience,
            long seed,
            boolean freezeEncoder) {
        this(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                0f,
                0);
    }

    public TrainConfig(
            int epochs,
            int stepsPerEpoch,
            int batch,
            int patch,
            double learningRate,
            double validationFraction,
            int patience,
            long seed,
            boolean freezeEncoder,
            float elastic) {
        this(
                epochs,
                stepsPerEpoch,
                batch,
                patch,
                learningRate,
                validationFraction,
                patience,
                seed,
                freezeEncoder,
                elastic,
                0);
    }

    public TrainConfig {
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
        if (!(elastic >= 0 && elastic < 50))
            throw new IllegalArgumentException("training: elastic deformation must be 0..50 pixels, got " + elastic);
        if (!(diameter == 0 || (diameter >= 3 && diameter <= 500))) {
            throw new IllegalArgumentException(
                    "training: the object diameter must be 3..500 pixels (or 0 = measured from the labels), got "
                            + diameter);
        }
        if (!(averaging == 0 || (averaging >= 0.9 && averaging < 1))) {
            throw new IllegalArgumentException(
                    "training: weight averaging must be 0 (off) or a decay in [0.9, 1), e.g. 0.999; got " + averaging);
        }
    }

    public TrainConfig withDiameter(double d) {
        return with(d, averaging);
    }

    public TrainConfig withAveraging(double decay) {
        return with(diameter, decay);
    }

    private TrainConfig with(double diameter, double averaging) {
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
                elastic,
                diameter,
                averaging);
    }

    public static TrainConfig defaults() {
        return new TrainConfig(20, 50, 8, 128, 2e-3, 0.2, 5, 1, false);
    }
}
