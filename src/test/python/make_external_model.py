#!/usr/bin/python3
"""Writes a U-Net exported by PyTorch itself (torch.onnx.export, opset 13, dynamic N/H/W) plus an
input and PyTorch's output for it, so tests can check that CNN-J runs external models correctly.

Development only: /usr/bin/python3 src/test/python/make_external_model.py (Debian python3-torch).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from make_golden import UNet, save, OUT  # noqa: E402

torch.manual_seed(99)
net = UNet(cin=1, classes=2, depth=2, base=4).eval()
with torch.no_grad():  # non-trivial batch-norm statistics
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
path = os.path.join(os.path.dirname(__file__), "..", "resources", "external", "torch_unet.onnx")
torch.onnx.export(net, torch.randn(1, 1, 32, 32), path, opset_version=13, input_names=["image"], output_names=["logits"],
                  dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"}, "logits": {0: "batch", 2: "height", 3: "width"}})
x = torch.randn(1, 1, 40, 48)
with torch.no_grad():
    y = net(x)
save("external_torch_unet", x=x, y=y)
print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")
