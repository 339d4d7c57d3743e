#!/usr/bin/python3
"""Goldens for the 3-D ops (#33): conv3d (isotropic, anisotropic (1,3,3) with stride (1,2,2), grouped + dilated),
max_pool3d, avg_pool3d, trilinear upsampling, nearest upsampling of volumes and batch norm over volumes, forward and gradients from PyTorch's autograd.

Development only: /usr/bin/python3 src/test/python/make_3d_golden.py (Debian python3-torch).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_golden import save, with_grads  # noqa: E402

torch.manual_seed(33)

CONV = {
    "conv3d_basic": dict(n=2, c=3, d=5, h=6, w=7, co=4, k=(3, 3, 3), stride=(1, 1, 1), pad=(1, 1, 1), dil=(1, 1, 1), g=1),
    "conv3d_aniso": dict(n=1, c=2, d=4, h=9, w=8, co=3, k=(1, 3, 3), stride=(1, 2, 2), pad=(0, 1, 1), dil=(1, 1, 1), g=1),
    "conv3d_grouped": dict(n=2, c=4, d=6, h=5, w=6, co=6, k=(3, 2, 3), stride=(2, 1, 1), pad=(2, 1, 0), dil=(2, 1, 1), g=2),
}
for name, p in CONV.items():
    x = torch.randn(p["n"], p["c"], p["d"], p["h"], p["w"])
    wt = torch.randn(p["co"], p["c"] // p["g"], *p["k"]) * 0.3
    b = torch.randn(p["co"])
    arrays = with_grads(
        lambda x, w, b: F.conv3d(x, w, b, stride=p["stride"], padding=p["pad"], dilation=p["dil"], groups=p["g"]),
        dict(x=x, w=wt, b=b),
        params=torch.tensor(list(p["stride"]) + list(p["pad"]) + list(p["dil"]) + [p["g"]], dtype=torch.float32))
    save(name, **arrays)

CONVT = {
    "convt3d_up222": dict(n=2, c=3, d=3, h=4, w=3, co=2, k=(2, 2, 2), stride=(2, 2, 2), pad=(0, 0, 0), dil=(1, 1, 1),
                          g=1, outpad=(0, 0, 0)),
    "convt3d_aniso": dict(n=1, c=4, d=3, h=5, w=4, co=6, k=(1, 3, 3), stride=(1, 2, 2), pad=(0, 1, 1), dil=(1, 1, 1),
                          g=2, outpad=(0, 1, 1)),
}
for name, p in CONVT.items():
    x = torch.randn(p["n"], p["c"], p["d"], p["h"], p["w"])
    wt = torch.randn(p["c"], p["co"] // p["g"], *p["k"]) * 0.3
    b = torch.randn(p["co"])
    arrays = with_grads(
        lambda x, w, b: F.conv_transpose3d(x, w, b, stride=p["stride"], padding=p["pad"], output_padding=p["outpad"],
                                           groups=p["g"], dilation=p["dil"]),
        dict(x=x, w=wt, b=b),
        params=torch.tensor(list(p["stride"]) + list(p["pad"]) + list(p["dil"]) + [p["g"]] + list(p["outpad"]),
                            dtype=torch.float32))
    save(name, **arrays)

for name, k in {"maxpool3d_222": (2, 2, 2), "maxpool3d_122": (1, 2, 2)}.items():
    x = torch.randn(2, 3, 4, 6, 6)
    save(name, **with_grads(lambda x: F.max_pool3d(x, k, k), dict(x=x), params=torch.tensor(k, dtype=torch.float32)))

for name, s in {"upsample3d_122": (1, 2, 2), "upsample3d_232": (2, 3, 2)}.items():
    x = torch.randn(2, 2, 3, 4, 3)
    save(name, **with_grads(lambda x: F.interpolate(x, scale_factor=s, mode="nearest"), dict(x=x),
                            params=torch.tensor(s, dtype=torch.float32)))

x = torch.randn(2, 3, 3, 4, 5) * 2 + 1
gamma = torch.rand(3) + 0.5
beta = torch.randn(3)
rm, rv = torch.zeros(3), torch.ones(3)
arrays = with_grads(lambda x, gamma, beta: F.batch_norm(x, rm, rv, gamma, beta, True, 0.1, 1e-5),
                    dict(x=x, gamma=gamma, beta=beta), running_mean_after=rm, running_var_after=rv)
save("batchnorm3d_train", **arrays)
for name, (k, st) in {"avgpool3d_222": ((2, 2, 2), (2, 2, 2)), "avgpool3d_133": ((1, 3, 3), (1, 2, 2))}.items():
    x = torch.randn(2, 3, 4, 7, 7)
    save(name, **with_grads(lambda x: F.avg_pool3d(x, k, st), dict(x=x),
                            params=torch.tensor(list(k) + list(st), dtype=torch.float32)))
for name, s in {"trilinear3d_122": (1, 2, 2), "trilinear3d_232": (2, 3, 2)}.items():
    x = torch.randn(2, 2, 3, 4, 3)
    save(name, **with_grads(lambda x: F.interpolate(x, scale_factor=s, mode="trilinear", align_corners=False),
                            dict(x=x), params=torch.tensor(s, dtype=torch.float32)))
print("wrote", ", ".join(list(CONV) + list(CONVT) + ["maxpool3d_222", "maxpool3d_122", "upsample3d_122", "upsample3d_232",
                                       "batchnorm3d_train", "avgpool3d_222", "avgpool3d_133", "trilinear3d_122",
                                       "trilinear3d_232"]))
