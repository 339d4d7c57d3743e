#!/usr/bin/python3
"""Writes the bioimage.io fixtures of BioimageIoZooTest: small networks exported by PyTorch the way packages in the
bioimage.io zoo hold them (ONNX weights for ONE input size, or channels last as TensorFlow models converted to ONNX
are), with their test tensors computed by PyTorch and numpy with the specification's pre- and postprocessing as
bioimageio.core computes it; and processing.json, every processing step on one small tensor (numpy's arithmetic).

Development only: /usr/bin/python3 src/test/python/make_bioimageio_fixtures.py (Debian python3-torch, numpy).
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "bioimageio")
EPS = 1e-6


class TinyUNet(nn.Module):
    """Two levels, 3x3 convolutions: a receptive field of a few tens of pixels, like a zoo U-Net in miniature."""

    def __init__(self, cin, cout):
        super().__init__()
        self.a = nn.Conv2d(cin, 6, 3, padding=1)
        self.b = nn.Conv2d(6, 6, 3, padding=1)
        self.c = nn.Conv2d(6, 8, 3, padding=1)
        self.d = nn.Conv2d(8, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 6, 2, stride=2)
        self.e = nn.Conv2d(12, 6, 3, padding=1)
        self.out = nn.Conv2d(6, cout, 1)

    def forward(self, x):
        s = F.relu(self.b(F.relu(self.a(x))))
        y = F.relu(self.d(F.relu(self.c(F.max_pool2d(s, 2)))))
        y = torch.cat([s, self.up(y)], 1)
        return self.out(F.relu(self.e(y)))


class ChannelsLast(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):  # [1, H, W, C] -> [1, H, W, K]
        return self.net(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


def blobs(rng, c, h, w):
    """Raw-looking images: bright discs on a dark, noisy, uneven background (16-bit camera counts)."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros((c, h, w), np.float32)
    for ch in range(c):
        img[ch] = 200 + 0.5 * xx + rng.normal(0, 20, (h, w))
        for _ in range(max(3, h * w // 400)):
            cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(3, 8)
            img[ch] += (1500 * (ch + 1)) * ((yy - cy) ** 2 + (xx - cx) ** 2 < r * r)
    return img


def zmuv(x, axes):
    return (x - x.mean(axis=axes, keepdims=True)) / (x.std(axis=axes, keepdims=True) + EPS)


def scale_range(x, axes, lo, hi):
    p_lo = np.percentile(x, lo, axis=axes, keepdims=True)
    p_hi = np.percentile(x, hi, axis=axes, keepdims=True)
    return (x - p_lo) / (p_hi - p_lo + EPS)


def run(net, x):
    with torch.no_grad():
        return net(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).numpy()


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def train(net, rng, steps=300):
    """A few hundred steps on blobs, so the probabilities mark the discs (objects to find), not noise."""
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(steps):
        img = blobs(rng, 1, 64, 64)
        target = torch.from_numpy((img > 1000).astype(np.float32))[None]
        x = torch.from_numpy(zmuv(img[None], (2, 3)).astype(np.float32))
        loss = F.binary_cross_entropy_with_logits(net(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("trained: loss", float(loss))


def fixed_size_model(rng):
    """'UNet 2D Nuclei Broad' in miniature: one input size (64), zero_mean_unit_variance over y and x, sigmoid."""
    torch.manual_seed(7)
    net = TinyUNet(1, 1)
    train(net, rng)
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 1, 64, 64), os.path.join(OUT, "fixed", "weights.onnx"), opset_version=13,
                      input_names=["raw"], output_names=["probability"])
    for name, (h, w) in {"test": (64, 64), "large": (150, 134)}.items():
        x = blobs(rng, 1, h, w)[None]
        y = sigmoid(run(net, zmuv(x, (2, 3))))  # the whole image at once: PyTorch's U-Net is fully convolutional
        np.save(os.path.join(OUT, "fixed", name + "_input.npy"), x.astype(np.float32))
        np.save(os.path.join(OUT, "fixed", name + "_output.npy"), y.astype(np.float32))


def channels_last_model(rng):
    """Channels last (axes byxc), two channels in and out, sides 32 + k·16, scale_range per channel, softmax."""
    torch.manual_seed(8)
    net = ChannelsLast(TinyUNet(2, 2)).eval()
    torch.onnx.export(net, torch.zeros(1, 48, 48, 2), os.path.join(OUT, "channels-last", "weights.onnx"),
                      opset_version=13, input_names=["image"], output_names=["classes"],
                      dynamic_axes={"image": {1: "h", 2: "w"}, "classes": {1: "h", 2: "w"}})
    x = np.moveaxis(blobs(rng, 2, 48, 64), 0, -1)[None]  # [1, 48, 64, 2]
    pre = scale_range(x, (1, 2), 1, 99.8) * 2.0 - 1.0  # scale_range, then scale_linear gain 2 offset -1
    y = softmax(run(net, pre), axis=3)
    np.save(os.path.join(OUT, "channels-last", "test_input.npy"), x.astype(np.float32))
    np.save(os.path.join(OUT, "channels-last", "test_output.npy"), y.astype(np.float32))


def processing_goldens(rng):
    """Every processing step on one [2, 6, 5] tensor (and a reference tensor), as numpy computes it."""
    x = rng.normal(3, 2, (2, 6, 5)).astype(np.float32)
    ref = rng.normal(100, 30, (2, 6, 5)).astype(np.float32)
    cases = []

    def case(id, kwargs, expected):
        cases.append({"id": id, "kwargs": kwargs, "expected": np.asarray(expected, np.float32).ravel().tolist()})

    case("zero_mean_unit_variance", {"axes": ["y", "x"]}, zmuv(x, (1, 2)))
    case("zero_mean_unit_variance", {"axes": ["channel", "y", "x"], "eps": 0.5},
         (x - x.mean()) / (x.std() + 0.5))
    case("fixed_zero_mean_unit_variance", {"mean": [1.0, 2.0], "std": [3.0, 0.5]},
         (x - np.array([1, 2])[:, None, None]) / (np.array([3, 0.5])[:, None, None] + EPS))
    case("fixed_zero_mean_unit_variance", {"mean": 2.5, "std": 2.0}, (x - 2.5) / (2.0 + EPS))
    case("scale_range", {"axes": ["y", "x"], "min_percentile": 5, "max_percentile": 95},
         scale_range(x, (1, 2), 5, 95))
    case("scale_range", {"axes": ["channel", "y", "x"], "min_percentile": 1.5, "max_percentile": 99.8},
         scale_range(x, (0, 1, 2), 1.5, 99.8))
    p_lo = np.percentile(ref, 10, axis=(1, 2), keepdims=True)
    p_hi = np.percentile(ref, 90, axis=(1, 2), keepdims=True)
    case("scale_range", {"axes": ["y", "x"], "min_percentile": 10, "max_percentile": 90, "reference_tensor": "raw"},
         (x - p_lo) / (p_hi - p_lo + EPS))
    case("scale_linear", {"gain": [2.0, -1.0], "offset": [0.5, 3.0]},
         x * np.array([2, -1])[:, None, None] + np.array([0.5, 3])[:, None, None])
    case("scale_linear", {"gain": 0.25}, x * 0.25)
    case("clip", {"min": 2.0, "max": 4.0}, np.clip(x, 2, 4))
    case("clip", {"max": 3.0}, np.minimum(x, 3))
    case("sigmoid", {}, sigmoid(x))
    case("softmax", {}, softmax(x, 0))
    case("binarize", {"threshold": 3.0}, (x > 3).astype(np.float32))
    case("binarize", {"threshold": [2.0, 4.0]}, (x > np.array([2, 4])[:, None, None]).astype(np.float32))
    case("ensure_dtype", {"dtype": "uint8"}, np.clip(np.trunc(x), 0, 255))
    case("ensure_dtype", {"dtype": "float32"}, x)
    m, s = x.mean(axis=(1, 2), keepdims=True), x.std(axis=(1, 2), keepdims=True)
    rm, rs = ref.mean(axis=(1, 2), keepdims=True), ref.std(axis=(1, 2), keepdims=True)
    case("scale_mean_variance", {"axes": ["y", "x"], "reference_tensor": "raw"},
         (x - m) / (s + EPS) * (rs + EPS) + rm)
    with open(os.path.join(OUT, "processing.json"), "w") as f:
        json.dump({"shape": list(x.shape), "input": x.ravel().tolist(), "reference": ref.ravel().tolist(),
                   "cases": cases}, f)


if __name__ == "__main__":
    rng = np.random.default_rng(35)
    for d in ("fixed", "channels-last"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    fixed_size_model(rng)
    channels_last_model(rng)
    processing_goldens(rng)
    for root, _, files in os.walk(OUT):
        for f in sorted(files):
            print(os.path.relpath(os.path.join(root, f), OUT), os.path.getsize(os.path.join(root, f)))
