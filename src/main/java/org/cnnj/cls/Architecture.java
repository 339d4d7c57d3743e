package org.cnnj.cls;

import com.google.gson.annotations.SerializedName;
import java.util.Arrays;
import java.util.Locale;
import org.cnnj.util.Rng;

/** The classic CNN families, by the names torchvision gives them; {@link #build} makes the network. */
public enum Architecture {
    @SerializedName("lenet5")
    LENET5("lenet5", 16),
    @SerializedName("alexnet")
    ALEXNET("alexnet", 32),
    @SerializedName("vgg11")
    VGG11("vgg11", 32),
    @SerializedName("vgg13")
    VGG13("vgg13", 32),
    @SerializedName("vgg16")
    VGG16("vgg16", 32),
    @SerializedName("vgg19")
    VGG19("vgg19", 32),
    @SerializedName("vgg11-bn")
    VGG11_BN("vgg11-bn", 32),
    @SerializedName("vgg16-bn")
    VGG16_BN("vgg16-bn", 32),
    @SerializedName("googlenet")
    GOOGLENET("googlenet", 32),
    @SerializedName("resnet18")
    RESNET18("resnet18", 16),
    @SerializedName("resnet34")
    RESNET34("resnet34", 16),
    @SerializedName("resnet50")
    RESNET50("resnet50", 16),
    @SerializedName("se-resnet18")
    SE_RESNET18("se-resnet18", 16),
    @SerializedName("se-resnet50")
    SE_RESNET50("se-resnet50", 16),
    @SerializedName("densenet121")
    DENSENET121("densenet121", 16),
    @SerializedName("densenet169")
    DENSENET169("densenet169", 16),
    @SerializedName("mobilenet-v1")
    MOBILENET_V1("mobilenet-v1", 32),
    @SerializedName("mobilenet-v2")
    MOBILENET_V2("mobilenet-v2", 32);

    private final String option;
    private final int minimumInput;

    Architecture(String option, int minimumInput) {
        this.option = option;
        this.minimumInput = minimumInput;
    }

    /** The spelling in options and sidecars ("resnet18", "mobilenet-v2"). */
    public String option() {
        return option;
    }

    /** Smallest crop the network's poolings leave at least one feature pixel for. */
    public int minimumInput() {
        return minimumInput;
    }

    public static Architecture parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Architecture a : values()) if (a.option.equals(t)) return a;
        throw new IllegalArgumentException("unknown architecture \"" + text + "\"; choose one of "
                + String.join(
                        ", ", Arrays.stream(values()).map(Architecture::option).toList()));
    }

    public ClassifierNetwork build(ClassifierConfig c, Rng rng) {
        return switch (this) {
            case LENET5 -> new LeNet5(c, rng);
            case ALEXNET -> new AlexNet(c, rng);
            case VGG11 -> new Vgg(c, Vgg.A, false, rng);
            case VGG13 -> new Vgg(c, Vgg.B, false, rng);
            case VGG16 -> new Vgg(c, Vgg.D, false, rng);
            case VGG19 -> new Vgg(c, Vgg.E, false, rng);
            case VGG11_BN -> new Vgg(c, Vgg.A, true, rng);
            case VGG16_BN -> new Vgg(c, Vgg.D, true, rng);
            case GOOGLENET -> new GoogLeNet(c, rng);
            case RESNET18 -> new ResNet(c, new int[] {2, 2, 2, 2}, false, false, rng);
            case RESNET34 -> new ResNet(c, new int[] {3, 4, 6, 3}, false, false, rng);
            case RESNET50 -> new ResNet(c, new int[] {3, 4, 6, 3}, true, false, rng);
            case SE_RESNET18 -> new ResNet(c, new int[] {2, 2, 2, 2}, false, true, rng);
            case SE_RESNET50 -> new ResNet(c, new int[] {3, 4, 6, 3}, true, true, rng);
            case DENSENET121 -> new DenseNet(c, new int[] {6, 12, 24, 16}, rng);
            case DENSENET169 -> new DenseNet(c, new int[] {6, 12, 32, 32}, rng);
            case MOBILENET_V1 -> new MobileNetV1(c, rng);
            case MOBILENET_V2 -> new MobileNetV2(c, rng);
        };
    }
}
