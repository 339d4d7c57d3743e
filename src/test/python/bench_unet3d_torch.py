#!/usr/bin/python3
"""PyTorch reference for `./cnnj bench unet3d --torch`: the same 3-D U-Net (CNN-J's VolumeUNet: two conv-BN-ReLU
units per level, max pooling down, stride = kernel transposed convolution up, skip by concat, 1x1x1 head; kernels
(1,3,3) and pooling (1,2,2) while z spacing > 2x xy), one training step (forward, BCE on both outputs, backward, Adam)
on the same machine and threads.

Development only (Debian python3-torch). Prints JSON with seconds_per_step_median.
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--filters", type=int, default=16)
ap.add_argument("--depth", type=int, default=2)
ap.add_argument("--z-ratio", type=float, default=2.0)
ap.add_argument("--batch", type=int, default=2)
ap.add_argument("--patch", type=int, default=64)
ap.add_argument("--patch-depth", type=int, default=32)
ap.add_argument("--threads", type=int, default=os.cpu_count())
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def in_plane(level):
    r = a.z_ratio
    for _ in range(level):
        if r > 2:
            r /= 2
    return r > 2


def unit(i, o, k):
    return nn.Sequential(nn.Conv3d(i, o, k, padding=tuple(s // 2 for s in k)), nn.BatchNorm3d(o), nn.ReLU())


class UNet3d(nn.Module):
    def __init__(self, f, depth):
        super().__init__()
        self.depth = depth
        k = lambda l: (1, 3, 3) if in_plane(l) else (3, 3, 3)
        self.pools = [(1, 2, 2) if in_plane(l) else (2, 2, 2) for l in range(depth)]
        ch = lambda l: f << l
        self.enc = nn.ModuleList()
        c = 1
        for l in range(depth):
            self.enc.append(nn.Sequential(unit(c, ch(l), k(l)), unit(ch(l), ch(l), k(l))))
            c = ch(l)
        self.bottom = nn.Sequential(unit(c, ch(depth), k(depth)), unit(ch(depth), ch(depth), k(depth)))
        self.ups, self.dec = nn.ModuleList(), nn.ModuleList()
        for l in reversed(range(depth)):
            self.ups.append(nn.ConvTranspose3d(ch(l + 1), ch(l), self.pools[l], stride=self.pools[l]))
            self.dec.append(nn.Sequential(unit(2 * ch(l), ch(l), k(l)), unit(ch(l), ch(l), k(l))))
        self.head = nn.Conv3d(f, 2, 1)

    def forward(self, x):
        skips = []
        for l, e in enumerate(self.enc):
            x = e(x)
            skips.append(x)
            x = F.max_pool3d(x, self.pools[l])
        x = self.bottom(x)
        for up, d in zip(self.ups, self.dec):
            x = d(torch.cat([skips.pop(), up(x)], 1))
        return self.head(x)


net = UNet3d(a.filters, a.depth)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.randn(a.batch, 1, a.patch_depth, a.patch, a.patch)
t = torch.rand(a.batch, 2, a.patch_depth, a.patch, a.patch)
times = []
for s in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    out = net(x)
    loss = F.binary_cross_entropy_with_logits(out[:, :1], t[:, :1]) + F.binary_cross_entropy_with_logits(out[:, 1:], t[:, 1:])
    loss.backward()
    opt.step()
    if s >= a.warmup:
        times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"torch": torch.__version__, "threads": a.threads,
                  "seconds_per_step_median": times[len(times) // 2], "seconds_per_step": times}))
