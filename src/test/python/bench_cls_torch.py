#!/usr/bin/python3
"""PyTorch reference for `./cnnj bench classify --torch`: the same Fashion-MNIST recipe on the same machine.

Development only (Debian python3-torch, dataset-fashion-mnist). Same architectures (make_cls_golden's LeNet5 and
ResNet-18 blocks at the given width, small-crop stem), AdamW (lr, weight decay), batch, linear warm-up then cosine
decay to 1 % as CNN-J's LrSchedule.Warmup(Cosine), 59,000 training images (1,000 held out as CNN-J holds out its
validation images), pixels / 255, no augmentation, CNN-J's weight initialization. Prints JSON: test accuracy and seconds per epoch.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_cls_golden import LeNet5, ResNet  # noqa: E402
from torchvision.models import resnet  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--arch", choices=["lenet5", "resnet18"], default="lenet5")
ap.add_argument("--width", type=float, default=0.25)
ap.add_argument("--epochs", type=int, default=3)
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--weight-decay", type=float, default=1e-4)
ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)


def idx(name, images):
    with gzip.open(os.path.join(a.data, name)) as f:
        raw = f.read()
    if images:
        return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=16).astype(np.float32) / 255).view(-1, 1, 28, 28)
    return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=8).astype(np.int64))


x, y = idx("train-images-idx3-ubyte.gz", True), idx("train-labels-idx1-ubyte.gz", False)
tx, ty = idx("t10k-images-idx3-ubyte.gz", True), idx("t10k-labels-idx1-ubyte.gz", False)
keep = torch.randperm(len(x))[:59000]
x, y = x[keep], y[keep]
net = LeNet5(28, 10) if a.arch == "lenet5" else ResNet(resnet.BasicBlock, [2, 2, 2, 2], a.width, 1, True, 10)
# CNN-J's initialization, so that only the implementations differ: He normal (fan in) for convolutions, He uniform
# for hidden fully connected layers, Xavier uniform for the last one, zero biases (PyTorch's defaults are smaller).
linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
for m in net.modules():
    if isinstance(m, torch.nn.Conv2d):
        torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
    elif isinstance(m, torch.nn.Linear):
        if m is linears[-1]:
            torch.nn.init.xavier_uniform_(m.weight)
        else:
            torch.nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and m.bias is not None:
        torch.nn.init.zeros_(m.bias)
opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.weight_decay)
steps = math.ceil(len(x) / a.batch)
total = a.epochs * steps
warmup = min(200, total // 20)


def factor(step):
    if step < warmup:
        return (step + 1) / (warmup + 1)
    t = min(step - warmup, total - warmup) / max(1, total - warmup)
    return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t))


sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
seconds = []
for epoch in range(a.epochs):
    net.train()
    t0 = time.perf_counter()
    order = torch.randperm(len(x))
    for s in range(steps):
        i = order[s * a.batch:(s + 1) * a.batch]
        opt.zero_grad()
        F.cross_entropy(net(x[i]), y[i]).backward()
        opt.step()
        sched.step()
    seconds.append(time.perf_counter() - t0)
net.eval()
with torch.no_grad():
    right = sum((net(tx[i:i + 500]).argmax(1) == ty[i:i + 500]).sum().item() for i in range(0, len(tx), 500))
print(json.dumps({"framework": "pytorch " + torch.__version__, "arch": a.arch, "threads": a.threads,
                  "test_accuracy": right / len(tx), "seconds_per_epoch": seconds}))
