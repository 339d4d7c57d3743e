#!/usr/bin/python3
"""Golden fixtures of Pad2d (torch.nn.functional.pad on H and W: constant, reflect, replicate = ONNX edge), ReLU6 and
broadcasting add/sub/mul/div.

Development only: /usr/bin/python3 src/test/python/make_pad_golden.py (format: see make_golden.py).
"""
import torch
import torch.nn.functional as F

from make_golden import save, with_grads

torch.manual_seed(77)
x = torch.randn(2, 3, 5, 6)
for mode, value in [("constant", 0.5), ("reflect", 0.0), ("replicate", 0.0)]:
    kwargs = {"value": value} if mode == "constant" else {}
    save("pad_" + mode, **with_grads(lambda x: F.pad(x, (2, 1, 1, 3), mode=mode, **kwargs), {"x": x}))
save("relu6", **with_grads(lambda x: F.relu6(x), {"x": 4 * torch.randn(3, 4, 5)}))  # MobileNet's activation
a, b = torch.randn(2, 3, 4), torch.rand(3, 1) + 0.5  # b > 0: a safe divisor
for name, f in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div)]:
    save("broadcast_" + name, **with_grads(lambda a, b: f(a, b), {"a": a, "b": b}))
