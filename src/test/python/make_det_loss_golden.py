#!/usr/bin/python3
"""Goldens for the one-stage detector's losses, computed by PyTorch's autograd from their textbook formulas:
sigmoid focal loss (Lin et al. 2017, as torchvision.ops.sigmoid_focal_loss) and GIoU loss on exp-encoded
left/top/right/bottom distances (FCOS), both weighted and divided by a normalizer.

Development only: /usr/bin/python3 src/test/python/make_det_loss_golden.py (Debian python3-torch).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_golden import save  # noqa: E402

torch.manual_seed(34)

# Focal: logits [2, 3, 4, 5], targets 0/1, weights (0 = ignored), alpha 0.25, gamma 2, normalizer 7.
x = torch.randn(2, 3, 4, 5) * 2
t = (torch.rand(2, 3, 4, 5) < 0.2).float()
w = (torch.rand(2, 3, 4, 5) < 0.9).float()
xx = x.clone().requires_grad_(True)
p = torch.sigmoid(xx)
ce = F.binary_cross_entropy_with_logits(xx, t, reduction="none")
p_t = p * t + (1 - p) * (1 - t)
alpha_t = 0.25 * t + 0.75 * (1 - t)
loss = (alpha_t * (1 - p_t) ** 2 * ce * w).sum() / 7.0
loss.backward()
save("loss_focal", x=x, t=t, w=w, loss=loss, g_x=xx.grad)

# GIoU: raw [2, 4, 3, 3] (distances = exp(raw) in stride units), targets > 0, weights (0 = not an object).
raw = torch.randn(2, 4, 3, 3) * 0.5
target = torch.rand(2, 4, 3, 3) * 3 + 0.2
wg = torch.rand(2, 3, 3) * (torch.rand(2, 3, 3) < 0.7).float()
rr = raw.clone().requires_grad_(True)
d = torch.exp(rr)
l, tp, r, b = d[:, 0], d[:, 1], d[:, 2], d[:, 3]
L, T, R, B = target[:, 0], target[:, 1], target[:, 2], target[:, 3]
area_p = (l + r) * (tp + b)
area_g = (L + R) * (T + B)
inter = (torch.min(l, L) + torch.min(r, R)) * (torch.min(tp, T) + torch.min(b, B))
union = area_p + area_g - inter
enclose = (torch.max(l, L) + torch.max(r, R)) * (torch.max(tp, T) + torch.max(b, B))
giou = inter / union - (enclose - union) / enclose
gloss = ((1 - giou) * wg).sum() / 3.0
gloss.backward()
save("loss_giou", raw=raw, target=target, w=wg, loss=gloss, g_raw=rr.grad)
print("wrote loss_focal, loss_giou")
