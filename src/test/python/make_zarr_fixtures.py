#!/usr/bin/env python3
"""Zarr v2 fixtures written the way other tools write them, for ZarrTest (development only; the files are committed).

zarr-python 2.13 (Debian python3-zarr) with its default compressor (Blosc lz4, byte shuffle), ome-zarr-py's
(Blosc zstd) with nested chunk keys inside an NGFF 0.4 image group, bioformats2raw's layout (series 0, t c z y x,
big-endian uint16, Blosc lz4), zlib big-endian floats, and Blosc without shuffle with a missing chunk (the fill value).
Every array holds v(y, x) = (131 y + 7 x) mod 65521, in its type (uint8: mod 251; float: / 2)."""
import json, os, shutil, sys
import numpy as np
import zarr
from numcodecs import Blosc, Zlib

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/spark/zarr"
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
y, x = np.mgrid[0:100, 0:130]
v = (131 * y + 7 * x) % 65521


def array(path, data, chunks, **kw):
    z = zarr.open_array(os.path.join(out, path), mode="w", shape=data.shape, chunks=chunks, dtype=data.dtype, **kw)
    z[...] = data
    return z


def ngff(path, axes):
    with open(os.path.join(out, path, ".zattrs"), "w") as f:
        json.dump({"multiscales": [{"version": "0.4", "axes": [{"name": a} for a in axes],
                                    "datasets": [{"path": "0", "coordinateTransformations": [
                                        {"type": "scale", "scale": [1.0] * len(axes)}]}]}]}, f)
    with open(os.path.join(out, path, ".zgroup"), "w") as f:
        json.dump({"zarr_format": 2}, f)


array("lz4-u2.zarr", v.astype("<u2"), (32, 48))  # zarr-python's default compressor
os.makedirs(os.path.join(out, "zstd-nested.ome.zarr"))
array("zstd-nested.ome.zarr/0", v.astype("<u2")[None], (1, 64, 64),
      compressor=Blosc(cname="zstd", clevel=5, shuffle=Blosc.SHUFFLE), dimension_separator="/")
ngff("zstd-nested.ome.zarr", ["c", "y", "x"])
os.makedirs(os.path.join(out, "bf2raw.zarr", "0"))
with open(os.path.join(out, "bf2raw.zarr", ".zattrs"), "w") as f:
    json.dump({"bioformats2raw.layout": 3}, f)
array("bf2raw.zarr/0/0", v.astype(">u2")[None, None, None], (1, 1, 1, 64, 64),
      compressor=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), dimension_separator="/")
ngff("bf2raw.zarr/0", ["t", "c", "z", "y", "x"])
array("zlib-f4-be.zarr", (v / 2).astype(">f4"), (40, 40), compressor=Zlib(level=5))
z = array("noshuffle-u1.zarr", (v % 251).astype("u1"), (50, 64),
          compressor=Blosc(cname="lz4", clevel=5, shuffle=Blosc.NOSHUFFLE), fill_value=7)
os.remove(os.path.join(out, "noshuffle-u1.zarr", "1.2"))  # rows 50-99, columns 128-129: the fill value
print("fixtures in", out)
