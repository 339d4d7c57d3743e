#!/usr/bin/python3
"""Writes the PyTorch golden fixtures that CNN-J's Java tests compare against.

Development only: run with Debian's python3 (apt-get install python3-torch) from the repo root:
    /usr/bin/python3 src/test/python/make_golden.py
The tests read the committed .bin files; PyTorch is never needed to run them.

File format (little-endian): b"CNNJGOLD", int32 count, then per array:
int32 name length, UTF-8 name, int32 rank, int32 dims[rank], float32 values.
Integer tensors (labels) are stored as float32.
"""
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden")
torch.manual_seed(1234)
torch.set_num_threads(1)


def save(name, **arrays):
    path = os.path.join(OUT, name + ".bin")
    with open(path, "wb") as f:
        f.write(b"CNNJGOLD")
        f.write(struct.pack("<i", len(arrays)))
        for key, t in arrays.items():
            t = torch.as_tensor(t).detach().to(torch.float32).contiguous()
            shape = list(t.shape) or [1]
            kb = key.encode("utf-8")
            f.write(struct.pack("<i", len(kb)))
            f.write(kb)
            f.write(struct.pack("<i", len(shape)))
            f.write(struct.pack("<%di" % len(shape), *shape))
            f.write(t.numpy().astype("<f4").tobytes())


def with_grads(fn, inputs, **extra):
    """Runs fn on leaf copies of inputs, back-propagates a random upstream gradient, returns arrays."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**leaves)
    gy = torch.randn_like(y)
    y.backward(gy)
    out = dict(inputs)
    out.update(extra)
    out["y"] = y
    out["gy"] = gy
    for k, v in leaves.items():
        out["g_" + k] = v.grad
    return out


def conv_cases():
    cases = {
        "conv_basic": dict(n=2, c=3, h=9, w=7, co=4, kh=3, kw=3, stride=1, pad=1, dil=1, groups=1),
        "conv_stride2": dict(n=2, c=3, h=10, w=9, co=5, kh=3, kw=3, stride=2, pad=1, dil=1, groups=1),
        "conv_dilated": dict(n=1, c=2, h=11, w=10, co=3, kh=3, kw=3, stride=1, pad=2, dil=2, groups=1),
        "conv_depthwise": dict(n=2, c=4, h=8, w=8, co=8, kh=3, kw=3, stride=1, pad=1, dil=1, groups=4),
        "conv_grouped_rect": dict(n=2, c=4, h=7, w=9, co=6, kh=3, kw=2, stride=2, pad=0, dil=1, groups=2),
        "conv_pointwise": dict(n=3, c=5, h=6, w=5, co=7, kh=1, kw=1, stride=1, pad=0, dil=1, groups=1),
        "conv_wide": dict(n=2, c=20, h=24, w=20, co=24, kh=3, kw=3, stride=1, pad=1, dil=1, groups=1),
    }
    for name, p in cases.items():
        x = torch.randn(p["n"], p["c"], p["h"], p["w"])
        w = torch.randn(p["co"], p["c"] // p["groups"], p["kh"], p["kw"]) * 0.3
        b = torch.randn(p["co"])
        fn = lambda x, w, b: F.conv2d(x, w, b, stride=p["stride"], padding=p["pad"], dilation=p["dil"], groups=p["groups"])
        params = torch.tensor([p["stride"], p["pad"], p["dil"], p["groups"]], dtype=torch.float32)
        save(name, **with_grads(fn, dict(x=x, w=w, b=b), params=params))


def large_grid_conv_case():
    """A grid past 2048 pixels takes the dot-product weight gradient; 6 channels and 45 taps leave edges of its 4x4
    blocks. Own seed, written last, so the other fixtures keep their random streams."""
    torch.manual_seed(4321)
    x = torch.randn(2, 5, 46, 46)
    w = torch.randn(6, 5, 3, 3) * 0.3
    b = torch.randn(6)
    fn = lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1)
    params = torch.tensor([1, 1, 1, 1], dtype=torch.float32)
    save("conv_large_grid", **with_grads(fn, dict(x=x, w=w, b=b), params=params))


def conv_transpose_cases():
    cases = {
        "convt_up2": dict(n=2, c=6, h=5, w=4, co=3, k=2, stride=2, pad=0, outpad=0, dil=1, groups=1),
        "convt_k3s2": dict(n=2, c=4, h=5, w=6, co=5, k=3, stride=2, pad=1, outpad=1, dil=1, groups=1),
        "convt_grouped": dict(n=1, c=4, h=6, w=5, co=6, k=3, stride=1, pad=1, outpad=0, dil=1, groups=2),
        "convt_dilated": dict(n=2, c=3, h=4, w=5, co=2, k=3, stride=2, pad=1, outpad=0, dil=2, groups=1),
    }
    for name, p in cases.items():
        x = torch.randn(p["n"], p["c"], p["h"], p["w"])
        w = torch.randn(p["c"], p["co"] // p["groups"], p["k"], p["k"]) * 0.3
        b = torch.randn(p["co"])
        fn = lambda x, w, b: F.conv_transpose2d(x, w, b, stride=p["stride"], padding=p["pad"],
                                                output_padding=p["outpad"], groups=p["groups"], dilation=p["dil"])
        params = torch.tensor([p["stride"], p["pad"], p["dil"], p["groups"], p["outpad"]], dtype=torch.float32)
        save(name, **with_grads(fn, dict(x=x, w=w, b=b), params=params))


def pool_cases():
    x = torch.randn(2, 3, 9, 8)
    for name, (k, s, pad) in {"maxpool_k2s2": (2, 2, 0), "maxpool_k3s2p1": (3, 2, 1)}.items():
        save(name, **with_grads(lambda x: F.max_pool2d(x, k, s, pad), dict(x=x),
                                params=torch.tensor([k, s, pad], dtype=torch.float32)))
    for name, (k, s, pad) in {"avgpool_k2s2": (2, 2, 0), "avgpool_k3s2p1": (3, 2, 1)}.items():
        save(name, **with_grads(lambda x: F.avg_pool2d(x, k, s, pad, count_include_pad=True), dict(x=x),
                                params=torch.tensor([k, s, pad], dtype=torch.float32)))
    save("global_avg_pool", **with_grads(lambda x: F.adaptive_avg_pool2d(x, 1), dict(x=x)))


def batchnorm_cases():
    x = torch.randn(4, 3, 5, 6) * 2 + 1
    gamma, beta = torch.randn(3), torch.randn(3)
    rm, rv = torch.randn(3) * 0.1, torch.rand(3) + 0.5
    for training in (True, False):
        rm_t, rv_t = rm.clone(), rv.clone()
        fn = lambda x, gamma, beta: F.batch_norm(x, rm_t, rv_t, gamma, beta, training=training, momentum=0.1, eps=1e-5)
        arrays = with_grads(fn, dict(x=x, gamma=gamma, beta=beta), running_mean_before=rm, running_var_before=rv)
        arrays["running_mean_after"] = rm_t
        arrays["running_var_after"] = rv_t
        save("batchnorm_train" if training else "batchnorm_eval", **arrays)


def activation_cases():
    x = torch.randn(2, 4, 3, 5) * 3
    save("softmax", **with_grads(lambda x: F.softmax(x, dim=1), dict(x=x)))
    save("log_softmax", **with_grads(lambda x: F.log_softmax(x, dim=1), dict(x=x)))
    save("sigmoid", **with_grads(torch.sigmoid, dict(x=x)))
    save("tanh", **with_grads(torch.tanh, dict(x=x)))
    save("leaky_relu", **with_grads(lambda x: F.leaky_relu(x, 0.1), dict(x=x)))
    small = torch.randn(2, 3, 4, 5)
    save("upsample_nearest", **with_grads(lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), dict(x=small)))
    save("upsample_bilinear", **with_grads(
        lambda x: F.interpolate(x, scale_factor=3, mode="bilinear", align_corners=False), dict(x=small)))
    xl, wl, bl = torch.randn(5, 7), torch.randn(4, 7), torch.randn(4)
    save("linear", **with_grads(F.linear, dict(input=xl, weight=wl, bias=bl)))


def loss_cases():
    logits = torch.randn(2, 4, 5, 6)
    labels = torch.randint(0, 4, (2, 5, 6))
    labels[0, 0, :3] = 255
    weights = torch.tensor([0.5, 1.0, 2.0, 1.5])
    lg = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(lg, labels, weight=weights, ignore_index=255)
    loss.backward()
    save("loss_cross_entropy", logits=logits, labels=labels, weights=weights, loss=loss, g_logits=lg.grad)

    lg = logits.clone().requires_grad_(True)
    labels_full = torch.randint(0, 4, (2, 5, 6))
    loss = F.cross_entropy(lg, labels_full)
    loss.backward()
    save("loss_cross_entropy_plain", logits=logits, labels=labels_full, loss=loss, g_logits=lg.grad)

    lg = logits.clone().requires_grad_(True)
    eps = 1.0
    p = F.softmax(lg, dim=1)
    onehot = F.one_hot(labels_full, 4).permute(0, 3, 1, 2).float()
    inter = (p * onehot).sum(dim=(0, 2, 3))
    total = p.sum(dim=(0, 2, 3)) + onehot.sum(dim=(0, 2, 3))
    loss = 1 - ((2 * inter + eps) / (total + eps)).mean()
    loss.backward()
    save("loss_soft_dice", logits=logits, labels=labels_full, loss=loss, g_logits=lg.grad)

    x, t = torch.randn(3, 5) * 2, torch.rand(3, 5).round()
    for name, fn in {"loss_bce": lambda a, b: F.binary_cross_entropy_with_logits(a, b),
                     "loss_mse": F.mse_loss,
                     "loss_smooth_l1": lambda a, b: F.smooth_l1_loss(a, b, beta=0.5)}.items():
        xx = x.clone().requires_grad_(True)
        tt = t if name == "loss_bce" else torch.randn(3, 5)
        loss = fn(xx, tt)
        loss.backward()
        save(name, x=x, t=tt, loss=loss, g_x=xx.grad)


def optimizer_cases():
    w0 = torch.randn(6, 5)
    grads = [torch.randn(6, 5) for _ in range(3)]
    configs = {
        "optim_sgd": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        "optim_sgd_plain": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.8, weight_decay=0.0),
        "optim_adam": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.01),
        "optim_adamw": lambda p: torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05),
    }
    for name, make in configs.items():
        p = w0.clone().requires_grad_(True)
        opt = make(p)
        arrays = dict(w0=w0)
        for i, g in enumerate(grads):
            p.grad = g.clone()
            opt.step()
            arrays["g%d" % i] = g
            arrays["w%d" % (i + 1)] = p.detach().clone()
        save(name, **arrays)


class ConvBnRelu(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class UNet(nn.Module):
    """The reference U-Net with the same parameter names as org.cnnj.nn.UNet."""

    def __init__(self, cin=1, classes=3, depth=3, base=16):
        super().__init__()
        self.depth = depth
        f = [base * 2 ** i for i in range(depth + 1)]
        c = cin
        for i in range(depth):
            setattr(self, "enc%d" % i, nn.Sequential(ConvBnRelu(c, f[i]), ConvBnRelu(f[i], f[i])))
            c = f[i]
        self.bottom = nn.Sequential(ConvBnRelu(c, f[depth]), ConvBnRelu(f[depth], f[depth]))
        for i in reversed(range(depth)):
            setattr(self, "up%d" % i, nn.ConvTranspose2d(f[i + 1], f[i], 2, stride=2))
            setattr(self, "dec%d" % i, nn.Sequential(ConvBnRelu(2 * f[i], f[i]), ConvBnRelu(f[i], f[i])))
        self.head = nn.Conv2d(f[0], classes, 1)

    def forward(self, x):
        skips = []
        for i in range(self.depth):
            x = getattr(self, "enc%d" % i)(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottom(x)
        for i in reversed(range(self.depth)):
            x = getattr(self, "dec%d" % i)(torch.cat([skips[i], getattr(self, "up%d" % i)(x)], dim=1))
        return self.head(x)


def unet_case():
    assert sum(p.numel() for p in UNet().parameters()) == 483187  # the reference configuration
    net = UNet(base=4)  # same structure, 16x fewer weights, so the fixture stays small
    x = torch.randn(2, 1, 32, 32)
    labels = torch.randint(0, 3, (2, 32, 32))
    arrays = {"x": x, "labels": labels}
    for k, v in net.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            arrays["init/" + k] = v.clone()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    logits = net(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    arrays["logits"] = logits
    arrays["loss"] = loss
    for k, p in net.named_parameters():
        arrays["grad/" + k] = p.grad.clone()
    opt.step()
    for k, v in net.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            arrays["after/" + k] = v.clone()
    save("unet_step", **arrays)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    conv_cases()
    conv_transpose_cases()
    pool_cases()
    batchnorm_cases()
    activation_cases()
    loss_cases()
    optimizer_cases()
    unet_case()
    large_grid_conv_case()
    print("wrote", len(os.listdir(OUT)), "fixtures to", os.path.normpath(OUT))
