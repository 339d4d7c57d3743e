#!/usr/bin/python3
"""PyTorch reference for `./cnnj bench --torch`: the same U-Net training step on the same machine.

Development only (Debian python3-torch). Prints JSON with seconds_per_step_median.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_golden import UNet  # noqa: E402  (same architecture and parameter names)

ap = argparse.ArgumentParser()
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--size", type=int, default=128)
ap.add_argument("--threads", type=int, default=os.cpu_count())
a = ap.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
net = UNet()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.randn(a.batch, 1, a.size, a.size)
y = torch.randint(0, 3, (a.batch, a.size, a.size))
times = []
for s in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    opt.step()
    if s >= a.warmup:
        times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"torch": torch.__version__, "threads": a.threads,
                  "seconds_per_step_median": times[len(times) // 2], "seconds_per_step": times}))
