#!/usr/bin/python3
"""Exports torchvision classifiers with random weights to ONNX, for TorchvisionGraphTest (run by the test itself
when /usr/bin/python3 has torch and torchvision; development machines only, nothing is committed).

    /usr/bin/python3 src/test/python/make_torchvision_onnx.py OUT_DIR [SIZE]

Writes OUT_DIR/{resnet18,mobilenet_v2,densenet121,squeezenet1_1,shufflenet_v2_x0_5,mnasnet0_5,efficientnet_b0,
mobilenet_v3_small,regnet_y_400mf}.onnx: 3-channel SIZE x SIZE input (default 64), 10 classes,
and fcn_resnet50.onnx (3 classes, any H x W), unet_{bilinear,align_corners,nearest}.onnx (1 -> 3 channels, any H x W),
eval mode (PyTorch's exporter then folds each BatchNorm that follows a Conv into it, as users' exports have it).
"""
import os
import sys

import torch
import torchvision

out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 64
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
for name in ["resnet18", "mobilenet_v2", "densenet121", "squeezenet1_1", "shufflenet_v2_x0_5", "mnasnet0_5",
             "efficientnet_b0", "mobilenet_v3_small", "regnet_y_400mf"]:
    model = getattr(torchvision.models, name)(num_classes=10).eval()
    with torch.no_grad():
        for m in model.modules():  # values away from the initialization's 0/1 so a wrong op or fold would show
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.8, 1.2)
                m.bias.uniform_(-0.1, 0.1)
            if isinstance(m, torch.nn.Linear):  # some zero-initialize their classifier
                torch.nn.init.normal_(m.weight, 0, 0.05)
                torch.nn.init.uniform_(m.bias, -0.1, 0.1)
    torch.onnx.export(model, torch.randn(1, 3, size, size), os.path.join(out, name + ".onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    print(name)

# A segmentation network whose export sizes its output from its input with shape arithmetic (Shape, Gather,
# Unsqueeze, Concat, Slice, Cast → Resize sizes): torchvision's FCN-ResNet50, its 'out' head only.
fcn = torchvision.models.segmentation.fcn_resnet50(weights=None, weights_backbone=None, num_classes=3).eval()


class Out(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x)["out"]


torch.onnx.export(Out(fcn), torch.randn(1, 3, size, size), os.path.join(out, "fcn_resnet50.onnx"), opset_version=13,
                  input_names=["input"], output_names=["out"],
                  dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "out": {0: "N", 2: "H", 3: "W"}})
print("fcn_resnet50")


# Small U-Nets that up-sample by interpolation instead of transposed convolution, as many published segmentation
# models do: bilinear with align_corners False and True, and nearest (Resize in their three coordinate modes).
class UNetInterp(torch.nn.Module):
    def __init__(self, mode, align):
        super().__init__()

        def block(i, o):
            return torch.nn.Sequential(torch.nn.Conv2d(i, o, 3, padding=1), torch.nn.BatchNorm2d(o), torch.nn.ReLU())

        self.enc1, self.enc2, self.bottom = block(1, 8), block(8, 16), block(16, 16)
        self.dec2, self.dec1 = block(32, 8), block(16, 8)
        self.head = torch.nn.Conv2d(8, 3, 1)
        self.up = torch.nn.Upsample(scale_factor=2, mode=mode, align_corners=align)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(torch.nn.functional.max_pool2d(e1, 2))
        b = self.bottom(torch.nn.functional.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up(b), e2], 1))
        d1 = self.dec1(torch.cat([self.up(d2), e1], 1))
        return self.head(d1)


for name, mode, align in [("unet_bilinear", "bilinear", False), ("unet_align_corners", "bilinear", True),
                          ("unet_nearest", "nearest", None)]:
    unet = UNetInterp(mode, align).eval()
    for m in unet.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    torch.onnx.export(unet, torch.randn(1, 1, size, size), os.path.join(out, name + ".onnx"), opset_version=13,
                      input_names=["input"], output_names=["out"],
                      dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "out": {0: "N", 2: "H", 3: "W"}})
    print(name)
