#!/usr/bin/env python3
"""Pseudo-3-D nuclei stacks built from REAL annotated 2-D nuclei (development only: numpy, scipy, tifffile from Debian;
the stacks are written outside the repository and never committed — the 2-D data's licences stay with it).

Why: the shipped 3-D model is trained on SyntheticVolumes (smooth ellipsoids with generated texture). Real nuclei are
lobed, irregular and textured the way chromatin is; no real annotated 3-D stacks are available here. These stacks keep
real shapes and real textures in xy and give them a made-up extent in z: a measurement of how the 3-D model copes with
real nuclear shapes and textures, from a source it was never trained on — not a substitute for real 3-D data.

How: each stack stacks 2-3 layers, each a crop of one real 2-D image (the same image: one magnification) (its nuclei and their label image) at a depth of its
own. A nucleus of equivalent radius R (xy pixels) becomes a body whose semi-axis in z is R x U(0.7, 1.1) (physical
units, as xy); at a slice dz from its centre its section is the part of its 2-D mask at least (1 - s) of the way from
its outline to its deepest point, s = sqrt(1 - (dz / c)^2) — the real outline shrunk toward its middle, like an
ellipsoid's sections; its light is the real image's pixels there. Where two bodies meet a voxel goes to the one it
lies deepest inside (as SyntheticVolumes and an annotator would split them); a body left with less than 40% of its
voxels is not in the truth (its light stays, as an annotator would miss it). Then optics: depth attenuation, a PSF
longer in z than in xy, out-of-focus haze, Poisson and read noise, 16-bit; z spacing --z-ratio x the xy spacing
(0.5 µm), written as ImageJ TIFFs X.tif + X-labels.tif with the calibration (what `bench seg3d --data` and train-seg3d
read).

    python3 make_pseudo3d_nuclei.py --images ../shared/data/nuclei-more/val --out /tmp/p3d-heldout --count 12 --seed 7
"""
import argparse, glob, os
import numpy as np
import tifffile
from scipy import ndimage as ndi

ap = argparse.ArgumentParser()
ap.add_argument("--images", nargs="+", required=True, help="folders of X.tif + X-labels.tif (2-D, annotated)")
ap.add_argument("--out", required=True)
ap.add_argument("--count", type=int, default=10)
ap.add_argument("--size", type=int, default=160, help="crop side in xy (pixels of the 2-D image)")
ap.add_argument("--z-ratio", type=float, default=2.2)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--match", default="", help="only images whose name contains this")
ap.add_argument("--scale", type=float, default=1.0, help="resize the 2-D images first (another magnification)")
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
os.makedirs(a.out, exist_ok=True)

pairs = []
for folder in a.images:
    for f in sorted(glob.glob(os.path.join(folder, "*.tif"))):
        if f.endswith("-labels.tif") or a.match not in os.path.basename(f):
            continue
        lab = f[:-4] + "-labels.tif"
        if os.path.exists(lab):
            pairs.append((f, lab))
if not pairs:
    raise SystemExit("no X.tif + X-labels.tif pairs in " + " ".join(a.images))


def grey(img):
    img = img.astype(np.float32)
    if img.ndim == 3:
        img = img[..., :3].mean(-1) if img.shape[-1] <= 4 else img[0]
    lo, hi = np.percentile(img, (1, 99.8))
    img = np.clip((img - lo) / max(hi - lo, 1e-6), 0, 1)
    if np.median(img) > 0.5:  # brightfield-like: dark nuclei; real fluorescence only
        return None
    return img


def image():
    """A real fluorescence image and its labels, with at least 6 nuclei."""
    for _ in range(50):
        f, lf = pairs[rng.integers(len(pairs))]
        img, lab = grey(tifffile.imread(f)), tifffile.imread(lf).astype(np.int32)
        if img is not None and lab.shape == img.shape and len(np.unique(lab)) > 6:
            if a.scale != 1:
                img, lab = ndi.zoom(img, a.scale, order=1), ndi.zoom(lab, a.scale, order=0)
            return img, lab
    raise SystemExit("no usable image found")


def layer(img, lab):
    """A crop of the image with at least 3 nuclei: (texture, labels, ids, side)."""
    for _ in range(50):
        h, w = lab.shape
        s = min(a.size, h, w)
        y0, x0 = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
        crop, tex = lab[y0:y0 + s, x0:x0 + s], img[y0:y0 + s, x0:x0 + s]
        ids = [i for i in np.unique(crop) if i > 0 and (crop == i).sum() >= 20]
        if len(ids) >= 3:
            return tex, crop, ids, s
    raise SystemExit("no crop with 3 nuclei found")


for n in range(a.count):
    img, lab = image()  # every layer from one image: one magnification, one kind of nucleus
    layers = [layer(img, lab) for _ in range(rng.integers(2, 4))]
    s = min(l[3] for l in layers)
    radii = [np.sqrt((l[1] == i).sum() / np.pi) for l in layers for i in l[2]]
    r_med = float(np.median(radii))
    zr = a.z_ratio
    depth_phys = (len(layers) * 1.9 + 1.5) * r_med
    slices = max(16, int(np.ceil(depth_phys / zr)))
    light = np.zeros((slices, s, s), np.float32)
    labels = np.zeros((slices, s, s), np.int32)
    owner_s = np.zeros((slices, s, s), np.float32)  # how deep inside its body each voxel lies
    zs = np.arange(slices) * zr
    next_id, wholes = 1, []
    for li, (tex, crop, ids, _) in enumerate(layers):
        tex, crop = tex[:s, :s], crop[:s, :s]
        base_z = (0.75 + 1.9 * li + rng.uniform(-0.2, 0.2)) * r_med
        for i in ids:
            mask = crop == i
            dist = ndi.distance_transform_edt(mask)
            dmax = dist.max()
            r = np.sqrt(mask.sum() / np.pi)
            c = r * rng.uniform(0.7, 1.1)
            cz = base_z + rng.uniform(-0.25, 0.25) * r_med
            bright = np.exp(rng.uniform(np.log(0.35), np.log(1.4)))
            ys, xs = np.nonzero(mask)
            voxels, whole = 0, 0
            for k in np.nonzero(np.abs(zs - cz) < c)[0]:
                sk = np.sqrt(1 - ((zs[k] - cz) / c) ** 2)
                section = dist[ys, xs] >= (1 - sk) * dmax
                if not section.any():
                    continue
                whole += int(section.sum())
                yy, xx = ys[section], xs[section]
                # depth inside the body: how far in from its outline, in its section and along z
                inside = np.minimum(dist[yy, xx] / dmax, sk)
                take = inside > owner_s[k, yy, xx]
                yy, xx, inside = yy[take], xx[take], inside[take]
                owner_s[k, yy, xx] = inside
                labels[k, yy, xx] = next_id
                light[k, yy, xx] = bright * (0.15 + tex[yy, xx]) * (0.7 + 0.3 * sk)
                voxels += len(yy)
            if voxels > 0:
                wholes.append(whole)
                next_id += 1
    # bodies mostly hidden inside others (an annotator would not see them) leave the truth; their light stays
    counts = np.bincount(labels.ravel(), minlength=next_id)
    hidden = [i for i in range(1, next_id) if counts[i] < max(30, 0.4 * wholes[i - 1])]
    if hidden:
        labels[np.isin(labels, hidden)] = 0
    keep = np.unique(labels)
    remap = np.zeros(labels.max() + 1, np.int32)
    remap[keep] = np.arange(len(keep))
    labels = remap[labels]
    # optics: attenuation with depth, PSF (z twice as long as xy in physical units), haze, noise
    light *= np.exp(-rng.uniform(0, 1.2) * np.arange(slices) / slices)[:, None, None]
    sxy = rng.uniform(0.8, 1.6)
    light = ndi.gaussian_filter(light, (2.2 * sxy / zr, sxy, sxy))
    haze = ndi.gaussian_filter(light, (4 * r_med / zr, 4 * r_med, 4 * r_med)) * rng.uniform(0.3, 1.5)
    photons = np.exp(rng.uniform(np.log(40), np.log(600)))
    counts = rng.poisson((light + haze + rng.uniform(0.01, 0.05)) * photons).astype(np.float32)
    counts += rng.normal(100, 3, counts.shape)
    stack = np.clip(counts, 0, 65535).astype(np.uint16)
    name = "pseudo3d-%03d" % n
    meta = dict(spacing=0.5 * zr, unit="um", axes="ZYX")
    tifffile.imwrite(os.path.join(a.out, name + ".tif"), stack, imagej=True, resolution=(2.0, 2.0), metadata=meta)
    tifffile.imwrite(os.path.join(a.out, name + "-labels.tif"), labels.astype(np.uint16), imagej=True,
                     resolution=(2.0, 2.0), metadata=meta)
    print(name, stack.shape, "nuclei", len(keep) - 1, "median radius %.1f" % r_med, "photons %.0f" % photons)
