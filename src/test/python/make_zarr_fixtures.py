#!/usr/bin/env python3
"""Zarr v2 fixtures written the way other tools write them, for ZarrTest (development only; the files are committed).

zarr-python 2.13 (Debian python3-zarr) with its default compressor (Blosc lz4, byte shuffle), ome-zarr-py's
(Blosc zstd) with nested chunk keys inside an NGFF 0.4 image group, bioformats2raw's layout (series 0, t c z y x,
big-endian uint16, Blosc lz4), zlib big-endian floats, and Blosc without shuffle with a missing chunk (the fill value).
Every plane holds v(y, x) = (131 y + 7 x) mod 65521, in its type (uint8: mod 251; float: / 2).

Volumes (z, y, x) hold v3 = (1009 z + 131 y + 7 x) mod 65521: as ome-zarr-py's write_image writes a z-stack (axes with
type and unit, a pyramid halving y and x, scale 2 x 0.5 x 0.5 micrometre, Blosc zstd, nested keys), as bioformats2raw
writes one (t c z y x, one plane per chunk, big-endian, Blosc lz4, OME/METADATA.ome.xml beside it), and with Blosc's
bit shuffle (numcodecs' Blosc.BITSHUFFLE, which users pick for better compression) in 1-, 2- and 4-byte types with
blocks whose element count is not a multiple of 8."""
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
zz, yy, xx = np.mgrid[0:10, 0:40, 0:48]
v3 = (1009 * zz + 131 * yy + 7 * xx) % 65521
zstd = Blosc(cname="zstd", clevel=5, shuffle=Blosc.SHUFFLE)
os.makedirs(os.path.join(out, "zyx.ome.zarr"))
um = [{"name": a, "type": "space", "unit": "micrometer"} for a in "zyx"]
levels = []
for level in range(3):  # ome-zarr-py's Scaler: y and x halved per level, z kept
    f = 2 ** level
    array("zyx.ome.zarr/%d" % level, v3[:, ::f, ::f].astype("<u2"), (5, 32, 32), compressor=zstd,
          dimension_separator="/")
    levels.append({"path": str(level), "coordinateTransformations": [{"type": "scale", "scale": [2.0, 0.5 * f, 0.5 * f]}]})
with open(os.path.join(out, "zyx.ome.zarr", ".zattrs"), "w") as f:
    json.dump({"multiscales": [{"axes": um, "datasets": levels, "name": "/", "version": "0.4"}]}, f, indent=4)
with open(os.path.join(out, "zyx.ome.zarr", ".zgroup"), "w") as f:
    json.dump({"zarr_format": 2}, f, indent=4)

root = os.path.join(out, "bf2raw-3d.zarr")
os.makedirs(os.path.join(root, "0"))
os.makedirs(os.path.join(root, "OME"))
with open(os.path.join(root, ".zattrs"), "w") as f:
    json.dump({"bioformats2raw.layout": 3}, f)
with open(os.path.join(root, ".zgroup"), "w") as f:
    json.dump({"zarr_format": 2}, f)
with open(os.path.join(root, "OME", ".zattrs"), "w") as f:
    json.dump({"series": ["0"]}, f)
with open(os.path.join(root, "OME", ".zgroup"), "w") as f:
    json.dump({"zarr_format": 2}, f)
with open(os.path.join(root, "OME", "METADATA.ome.xml"), "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
            '<Image ID="Image:0" Name="stack"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SizeX="48"'
            ' SizeY="40" SizeZ="10" SizeC="1" SizeT="1" PhysicalSizeX="0.5" PhysicalSizeY="0.5" PhysicalSizeZ="2.0"'
            ' BigEndian="true"/></Image></OME>')
array("bf2raw-3d.zarr/0/0", v3.astype(">u2")[None, None], (1, 1, 1, 40, 48),
      compressor=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), dimension_separator="/")
axes5 = [{"name": "t", "type": "time"}, {"name": "c", "type": "channel"}] + um
with open(os.path.join(root, "0", ".zattrs"), "w") as f:
    json.dump({"multiscales": [{"axes": axes5, "version": "0.4", "name": "stack", "datasets": [
        {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1.0, 1.0, 2.0, 0.5, 0.5]}]}]}]}, f)
with open(os.path.join(root, "0", ".zgroup"), "w") as f:
    json.dump({"zarr_format": 2}, f)

bit = dict(shuffle=Blosc.BITSHUFFLE, clevel=5)
array("bitshuffle-u2.zarr", v3.astype("<u2"), (3, 17, 23), compressor=Blosc(cname="lz4", **bit))
array("bitshuffle-u1.zarr", (v3 % 251).astype("u1"), (3, 17, 23), compressor=Blosc(cname="zstd", **bit))
array("bitshuffle-f4.zarr", (v3 / 2).astype("<f4"), (10, 40, 48), compressor=Blosc(cname="lz4", blocksize=1000, **bit))
print("fixtures in", out)
