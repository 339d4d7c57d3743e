#!/usr/bin/python3
"""Golden forwards of one member of each classifier family, for src/test/java/org/cnnj/cls/ClassifierGoldenTest.

Development only (Debian: apt-get install python3-torch python3-torchvision), from the repo root:
    /usr/bin/python3 src/test/python/make_cls_golden.py
Where torchvision has the family's building blocks (BasicBlock, Bottleneck, BasicConv2d, Inception, DenseNet,
MobileNetV2, VGG's make_layers) they are used as they are; LeNet-5, AlexNet's small-crop stem, MobileNet v1 and
the SE block are written here. State-dict keys are CNN-J's parameter names, so each fixture holds the weights
("w/<name>"), an input and the logits; batch-norm statistics are randomized so a mistake in using them shows.
Format: see make_golden.py.
"""
import torch
import torch.nn as nn
import importlib
from torchvision.models import densenet, mobilenetv2, resnet, vgg

from make_golden import save

googlenet = importlib.import_module("torchvision.models.googlenet")  # the package exports a function of that name

torch.manual_seed(2024)
torch.set_num_threads(1)
CLASSES = 3


def s(c, width):
    return max(1, round(c * width))


class LeNet5(nn.Module):
    def __init__(self, size=32, classes=CLASSES):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                                      nn.MaxPool2d(2))
        f = ((size - 4) // 2 - 4) // 2
        self.classifier = nn.Sequential(nn.Linear(16 * f * f, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class AlexNetSmall(nn.Module):
    """torchvision's AlexNet with the 5x5 stride-1 stem CNN-J uses below 64 px, no adaptive pool."""

    def __init__(self, w):
        super().__init__()
        c = [s(64, w), s(192, w), s(384, w), s(256, w), s(256, w)]
        self.features = nn.Sequential(
            nn.Conv2d(1, c[0], 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(c[0], c[1], 5, padding=2), nn.ReLU(),
            nn.MaxPool2d(3, 2), nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(), nn.Conv2d(c[2], c[3], 3, padding=1),
            nn.ReLU(), nn.Conv2d(c[3], c[4], 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        h = s(4096, w)
        self.classifier = nn.Sequential(nn.Dropout(), nn.Linear(c[4] * 3 * 3, h), nn.ReLU(), nn.Dropout(),
                                        nn.Linear(h, h), nn.ReLU(), nn.Linear(h, CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class Vgg11Bn(nn.Module):
    def __init__(self, w, size):
        super().__init__()
        cfg = [v if v == "M" else s(v, w) for v in vgg.cfgs["A"]]
        self.features = vgg.make_layers(cfg, batch_norm=True)
        # CNN-J's VGG has no adaptive pool: its head reads the flattened map (for 32 px 1x1, at 224 7x7).
        h = s(4096, w)
        self.classifier = nn.Sequential(nn.Linear(cfg[-2] * (size // 32) ** 2, h), nn.ReLU(), nn.Dropout(),
                                        nn.Linear(h, h), nn.ReLU(), nn.Dropout(), nn.Linear(h, CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class GoogLeNet(nn.Module):
    """torchvision's blocks (BasicConv2d, Inception) in its order; max-pools padded by 1 instead of ceil_mode."""

    def __init__(self, w, channels):
        super().__init__()
        conv, inc = googlenet.BasicConv2d, googlenet.Inception
        self.conv1 = conv(channels, s(64, w), kernel_size=7, stride=2, padding=3)
        self.conv2 = conv(s(64, w), s(64, w), kernel_size=1)
        self.conv3 = conv(s(64, w), s(192, w), kernel_size=3, padding=1)
        table = [("3a", 64, 96, 128, 16, 32, 32), ("3b", 128, 128, 192, 32, 96, 64), ("4a", 192, 96, 208, 16, 48, 64),
                 ("4b", 160, 112, 224, 24, 64, 64), ("4c", 128, 128, 256, 24, 64, 64), ("4d", 112, 144, 288, 32, 64, 64),
                 ("4e", 256, 160, 320, 32, 128, 128), ("5a", 256, 160, 320, 32, 128, 128),
                 ("5b", 384, 192, 384, 48, 128, 128)]
        c = s(192, w)
        for name, *ch in table:
            ch = [s(v, w) for v in ch]
            setattr(self, "inception" + name, inc(c, *ch))
            c = ch[0] + ch[2] + ch[4] + ch[5]
        self.pool = nn.MaxPool2d(3, 2, padding=1)
        self.fc = nn.Linear(c, CLASSES)

    def forward(self, x):
        x = self.pool(self.conv1(x))
        x = self.pool(self.conv3(self.conv2(x)))
        x = self.inception3b(self.inception3a(x))
        x = self.pool(x)
        for n in "abcde":
            x = getattr(self, "inception4" + n)(x)
        x = nn.functional.max_pool2d(x, 2, 2)
        x = self.inception5b(self.inception5a(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class SqueezeExcitation(nn.Module):
    def __init__(self, c):
        super().__init__()
        hidden = max(1, c // 16)
        self.squeeze, self.excite = nn.Conv2d(c, hidden, 1), nn.Conv2d(hidden, c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.excite(torch.relu(self.squeeze(x.mean((2, 3), keepdim=True)))))


class SeBasicBlock(resnet.BasicBlock):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.se = SqueezeExcitation(self.bn2.num_features)

    def forward(self, x):
        y = self.se(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    """torchvision's ResNet with every width scaled (its class fixes 64..512); small_stem as CNN-J below 64 px."""

    def __init__(self, block, layers, w, channels, small_stem=False, classes=CLASSES):
        super().__init__()
        width = s(64, w)
        self.conv1 = nn.Conv2d(channels, width, 3, 1, 1, bias=False) if small_stem else nn.Conv2d(
            channels, width, 7, 2, 3, bias=False)
        self.bn1, self.relu = nn.BatchNorm2d(width), nn.ReLU()
        self.maxpool = nn.Identity() if small_stem else nn.MaxPool2d(3, 2, 1)
        inplanes = width
        for i, n in enumerate(layers):
            planes, blocks = s(64 << i, w), []
            for b in range(n):
                stride = 2 if b == 0 and i > 0 else 1
                down = None
                if stride != 1 or inplanes != planes * block.expansion:
                    down = nn.Sequential(nn.Conv2d(inplanes, planes * block.expansion, 1, stride, bias=False),
                                         nn.BatchNorm2d(planes * block.expansion))
                blocks.append(block(inplanes, planes, stride, down))
                inplanes = planes * block.expansion
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, 5):
            x = getattr(self, "layer%d" % i)(x)
        return self.fc(torch.flatten(x.mean((2, 3)), 1))


class MobileNetV1(nn.Module):
    def __init__(self, w):
        super().__init__()

        def cbr(i, o, stride, groups):
            k = 3 if groups > 1 or i == 1 else 1
            return nn.Sequential(nn.Conv2d(i, o, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(o),
                                 nn.ReLU())

        c = s(32, w)
        layers = [cbr(1, c, 1, 1)]  # 32 px: the small-crop stem keeps stride 1
        for out, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [
                (1024, 2), (1024, 1)]:
            o = s(out, w)
            layers.append(nn.Sequential(cbr(c, c, stride, c), cbr(c, o, 1, 1)))
            c = o
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(c, CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x).mean((2, 3)), 1))


def case(name, model, shape):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(0.1 * torch.randn_like(m.running_mean))
            m.running_var.copy_(1 + torch.rand_like(m.running_var))
    model.eval()
    x = torch.randn(*shape)
    with torch.no_grad():
        logits = model(x)
    weights = {"w/" + k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save("cls_" + name, input=x, logits=logits, **weights)
    print(name, sum(v.numel() for v in weights.values()), "values")


if __name__ == "__main__":
    case("lenet5", LeNet5(), (2, 1, 32, 32))
    case("alexnet", AlexNetSmall(0.0625), (2, 1, 32, 32))
    case("vgg11-bn", Vgg11Bn(0.0625, 32), (2, 3, 32, 32))  # make_layers takes 3 channels
    case("googlenet", GoogLeNet(0.0625, 1), (2, 1, 64, 64))
    case("resnet18", ResNet(resnet.BasicBlock, [2, 2, 2, 2], 0.0625, 1), (2, 1, 64, 64))
    case("resnet50", ResNet(resnet.Bottleneck, [3, 4, 6, 3], 0.0625, 1), (2, 1, 64, 64))
    case("se-resnet18", ResNet(SeBasicBlock, [2, 2, 2, 2], 0.0625, 1), (2, 1, 64, 64))
    dn = densenet.DenseNet(growth_rate=2, block_config=(6, 12, 24, 16), num_init_features=4, num_classes=CLASSES)
    case("densenet121", dn, (2, 3, 64, 64))
    case("mobilenet-v1", MobileNetV1(0.125), (2, 1, 32, 32))
    case("mobilenet-v2", mobilenetv2.MobileNetV2(num_classes=CLASSES, width_mult=0.1), (2, 3, 64, 64))
