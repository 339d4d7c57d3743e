#!/usr/bin/env python3
"""TIFFs ImageJ 1 cannot open, written by tifffile the way other tools write them, for TiffsTest (development only;
the files are committed).

- tiled.ome.tif: an OME-TIFF in 16 x 16 tiles, deflate, 2 channels x 3 slices stored channel by channel
  (DimensionOrder XYZCT, as tifffile writes axes CZYX), pixel size 0.65 um (QuPath's and bfconvert's exports are tiled).
- channels.ome.tif: the same planes in strips (ImageJ reads these, but as 6 slices: it does not read the OME-XML).
- pyramid.ome.tif: a tiled OME-TIFF with a half-size level in a SubIFD and a thumbnail page (NewSubfileType 1) after
  the full-resolution page, as pyramid writers lay them out.
- big.tif: BigTIFF, uint16, 2 pages.
- float64.tif: 64-bit floating point (numpy's default float); float64-strips.tif the same in deflate strips of 7 rows.
- rgb-tiled.tif: 8-bit RGB in tiles.
Every plane holds v = 1000 c + 100 z + 3 y + x (float64: + 0.25; RGB: channel k holds (40 k + 3 y + x) % 256).

Label images as Python code writes them (for LabelImagesTest): labels-int64.tif (NumPy's default integer, as
np.zeros(shape, int) or an int64 label() result saved by tifffile: ImageJ and ImageIO read no 64-bit integers),
labels-int64-zlib.tif (3 pages, deflate), labels-uint64-big.tif (BigTIFF), labels-int16.tif (signed 16-bit, which
ImageJ stores offset by 32768). Objects: 1 = rows 2-9 x cols 3-12, k = rows 12-25 x cols 20-35 with k = 70000 in
the int64 files (beyond 16 bits), 2 in the others; page z of the 3-page file holds (z + 1) x those ids.
"""
import os, sys
import numpy as np
import tifffile

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/tiff"
os.makedirs(out, exist_ok=True)
H, W = 30, 40
y, x = np.mgrid[0:H, 0:W]


def plane(c=0, z=0):
    return 1000 * c + 100 * z + 3 * y + x


czyx = np.array([[plane(c, z) for z in range(3)] for c in range(2)], np.uint16)
tifffile.imwrite(os.path.join(out, "tiled.ome.tif"), czyx, tile=(16, 16), compression="zlib", ome=True,
                 metadata={"axes": "CZYX", "PhysicalSizeX": 0.65, "PhysicalSizeY": 0.65})
tifffile.imwrite(os.path.join(out, "channels.ome.tif"), czyx, ome=True,
                 metadata={"axes": "CZYX", "PhysicalSizeX": 0.65, "PhysicalSizeY": 0.65})
with tifffile.TiffWriter(os.path.join(out, "pyramid.ome.tif"), ome=True) as t:
    full = plane().astype(np.uint16)
    t.write(full, subifds=1, tile=(16, 16), compression="zlib", metadata={"axes": "YX"})
    t.write(full[::2, ::2], subfiletype=1, tile=(16, 16), compression="zlib")
    t.write(full[::4, ::4], subfiletype=1, metadata=None)  # a thumbnail page in the main chain
tifffile.imwrite(os.path.join(out, "big.tif"), np.array([plane(0, z) for z in range(2)], np.uint16), bigtiff=True)
tifffile.imwrite(os.path.join(out, "float64.tif"), plane().astype(np.float64) + 0.25)
tifffile.imwrite(os.path.join(out, "float64-strips.tif"), plane().astype(np.float64) + 0.25, rowsperstrip=7,
                 compression="zlib")
rgb = np.stack([(40 * k + 3 * y + x) % 256 for k in range(3)], -1).astype(np.uint8)
tifffile.imwrite(os.path.join(out, "rgb-tiled.tif"), rgb, tile=(16, 16), photometric="rgb")

labels = np.zeros((H, W), int)
labels[2:10, 3:13] = 1
labels[12:26, 20:36] = 70000
assert labels.dtype == np.int64
tifffile.imwrite(os.path.join(out, "labels-int64.tif"), labels)
small = np.where(labels == 70000, 2, labels)
tifffile.imwrite(os.path.join(out, "labels-int64-zlib.tif"), np.stack([small * (z + 1) for z in range(3)]),
                 compression="zlib")
tifffile.imwrite(os.path.join(out, "labels-uint64-big.tif"), small.astype(np.uint64), bigtiff=True)
tifffile.imwrite(os.path.join(out, "labels-int16.tif"), small.astype(np.int16))

with tifffile.TiffFile(os.path.join(out, "pyramid.ome.tif")) as f:
    assert len(f.pages) == 2 and f.pages[1].subfiletype == 1 and len(f.pages[0].pages) == 1
for name in ("tiled.ome.tif", "pyramid.ome.tif", "rgb-tiled.tif"):
    with tifffile.TiffFile(os.path.join(out, name)) as f:
        assert f.pages[0].is_tiled, name
print("wrote", sorted(os.listdir(out)))
