package org.cnnj.cls;

import java.util.List;
import java.util.Locale;

/**
 * What a classifier network is: its architecture, input channels and crop size (S×S), class names, and a width
 * multiplier of the architecture's standard channel counts (1 = torchvision's; 0.25 suits small microscopy crops).
 * Inputs of at least {@link #IMAGENET_STEM_MIN} pixels get torchvision's stem (7×7 stride-2 convolution and
 * max-pool, or AlexNet's 11×11 stride 4); smaller crops (28–63 px) a 3×3 stride-1 stem, so their features are not
 * reduced to nothing.
 *
 * @param dropout probability of the dropout layers in the head (AlexNet, VGG, GoogLeNet, MobileNet), 0 = none
 */
public record ClassifierConfig(
        Architecture architecture,
        int inputChannels,
        List<String> classes,
        int inputSize,
        double width,
        double dropout) {
    /** Crop size from which the architectures use torchvision's own stem. */
    public static final int IMAGENET_STEM_MIN = 64;
    /** The head's dropout when training asks for none in particular (the CLI and the Fiji commands). */
    public static final double DEFAULT_DROPOUT = 0.2;

    public ClassifierConfig {
        if (architecture == null) throw new IllegalArgumentException("classifier: no architecture");
        if (inputChannels < 1 || inputChannels > 64)
            throw new IllegalArgumentException("classifier: input channels must be 1..64, got " + inputChannels);
        if (classes == null || classes.size() < 2) {
            throw new IllegalArgumentException("classifier: at least two classes are needed, got "
                    + (classes == null ? "none" : classes) + "; a classifier chooses between classes");
        }
        if (classes.stream().distinct().count() != classes.size())
            throw new IllegalArgumentException("classifier: class names must differ, got " + classes);
        classes = List.copyOf(classes);
        if (inputSize < architecture.minimumInput() || inputSize > 1024) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "classifier: %s needs crops of %d..1024 pixels, got %d",
                    architecture.option(),
                    architecture.minimumInput(),
                    inputSize));
        }
        if (!(width > 0 && width <= 4))
            throw new IllegalArgumentException("classifier: width must be in (0, 4], got " + width);
        if (!(dropout >= 0 && dropout < 1))
            throw new IllegalArgumentException("classifier: dropout must be in [0, 1), got " + dropout);
    }

    public boolean imagenetStem() {
        return inputSize >= IMAGENET_STEM_MIN;
    }

    /** Channels {@code c} of the standard architecture at this width (at least 1). */
    int scaled(int c) {
        return Math.max(1, (int) Math.round(c * width));
    }
}
