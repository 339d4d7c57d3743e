"""Harder versions of annotated nuclei images, to see how a model copes with what other microscopes do.

Development tool (Debian python3: numpy, scipy, tifffile), never a test requirement. For each X.tif + X-labels.tif in
--data it writes OUT/dim/, OUT/haze/ and OUT/lowlight/ with the same names; the labels are copied unchanged.

- dim: every nucleus's signal (above the image's background) times its own factor, log-uniform in [0.08, 1], as in
  GFP lines whose expression varies tenfold from cell to cell; the factor reaches a few pixels past each outline and is
  smoothed so no ring appears.
- haze: out-of-focus light and autofluorescence as in thick tissue: the image blurred over ~4 nucleus diameters added
  at 1-2x its own strength, a smooth gradient of up to half the signal, a slight defocus.
- lowlight: a 16-bit camera image with an offset of 500 counts at ~30 photons for a bright nucleus (Poisson) plus read
  noise.

These are derived from real images, not other labs' images: a check of robustness, not a held-out source.

python3 src/test/python/make_stress_nuclei.py --data ../shared/data/nuclei-real/val --out /tmp/stress --seed 1
"""
import argparse
import pathlib

import numpy as np
import tifffile
from scipy import ndimage


def signal(image):
    """The image as float with its background (2nd percentile) at 0 and its bright nuclei (99.8th) near 1."""
    x = image.astype(np.float64)
    if x.ndim == 3:  # RGB or channels last: the mean, as a nuclei channel
        x = x.mean(axis=-1)
    lo, hi = np.percentile(x, [2, 99.8])
    return (x - lo) / max(hi - lo, 1e-9), lo, hi


def median_diameter(labels):
    ids, areas = np.unique(labels[labels > 0], return_counts=True)
    return 2 * np.sqrt(np.median(areas) / np.pi) if len(ids) else 16.0


def dim(x, labels, rng):
    n = labels.max()
    factor = np.exp(rng.uniform(np.log(0.08), np.log(1.0), n + 1))
    factor[0] = 1
    # each background pixel within 3 px of a nucleus takes that nucleus's factor
    dist, (iy, ix) = ndimage.distance_transform_edt(labels == 0, return_indices=True)
    grown = np.where(dist <= 3, labels[iy, ix], 0)
    field = ndimage.gaussian_filter(factor[grown], 1.0)
    # only the nuclei's own light dims: the local background (a grey opening wider than a nucleus) stays
    d = median_diameter(labels)
    background = ndimage.gaussian_filter(ndimage.grey_opening(x, size=int(1.5 * d) | 1), d / 4)
    background = np.minimum(background, x)
    return background + (x - background) * field


def haze(x, labels, rng):
    d = median_diameter(labels)
    out_of_focus = ndimage.gaussian_filter(np.clip(x, 0, None), 4 * d)
    out_of_focus /= max(out_of_focus.max(), 1e-9)
    h, w = x.shape
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = 0.5 * rng.uniform(0.3, 1) * (0.5 + 0.5 * np.cos(angle) * xx + 0.5 * np.sin(angle) * yy)
    blurred = ndimage.gaussian_filter(x, 0.1 * d)
    return blurred + rng.uniform(1, 2) * 0.5 * out_of_focus + gradient


def lowlight(x, labels, rng):
    photons = 30 * np.clip(x, 0, None) + 2  # a bright nucleus ~30 photons, background ~2
    counts = rng.poisson(photons) * 4.0 + 500 + rng.normal(0, 3, x.shape)
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, action="append")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    out = pathlib.Path(a.out)
    kinds = {"dim": dim, "haze": haze, "lowlight": lowlight}
    for k in kinds:
        (out / k).mkdir(parents=True, exist_ok=True)
    count = 0
    for folder in a.data:
        for f in sorted(pathlib.Path(folder).glob("*.tif")):
            if f.name.endswith("-labels.tif"):
                continue
            lab_file = f.with_name(f.stem + "-labels.tif")
            if not lab_file.exists():
                continue
            labels = tifffile.imread(lab_file)
            x, _, _ = signal(tifffile.imread(f))
            for k, fn in kinds.items():
                y = fn(x, labels, rng)
                if k == "lowlight":
                    img = np.clip(y, 0, 65535).astype(np.uint16)
                else:  # back to 16-bit with the image's full range
                    y = (y - y.min()) / max(y.max() - y.min(), 1e-9)
                    img = np.round(y * 60000).astype(np.uint16)
                tifffile.imwrite(out / k / f.name, img, compression="zlib")
                tifffile.imwrite(out / k / lab_file.name, labels, compression="zlib")
            count += 1
    print(f"{count} images x {len(kinds)} kinds in {out}")


if __name__ == "__main__":
    main()
