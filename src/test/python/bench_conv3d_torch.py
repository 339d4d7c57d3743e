#!/usr/bin/python3
"""PyTorch reference for `./cnnj bench conv3d --torch`: the same 3-D conv block training step (conv3d 3x3x3 C->2C,
ReLU, conv3d 2C->C, sum; forward and backward) on the same machine and threads.

Development only (Debian python3-torch). Prints JSON with seconds_per_step_median.
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--channels", type=int, default=16)
ap.add_argument("--depth", type=int, default=32)
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--threads", type=int, default=os.cpu_count())
a = ap.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
c = a.channels
x = torch.randn(1, c, a.depth, a.size, a.size, requires_grad=True)
w1 = (torch.randn(2 * c, c, 3, 3, 3) * 0.1).requires_grad_(True)
w2 = (torch.randn(c, 2 * c, 3, 3, 3) * 0.1).requires_grad_(True)
times = []
for s in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    for t in (x, w1, w2):
        t.grad = None
    y = F.conv3d(F.relu(F.conv3d(x, w1, padding=1)), w2, padding=1)
    y.sum().backward()
    if s >= a.warmup:
        times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"torch": torch.__version__, "threads": a.threads,
                  "seconds_per_step_median": times[len(times) // 2], "seconds_per_step": times}))
