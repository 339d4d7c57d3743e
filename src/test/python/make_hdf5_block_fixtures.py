#!/usr/bin/env python3
"""HDF5 volumes read block by block (io.Hdf5Volume, spark segment-blocks), as the tools that write large volumes store
them: in chunks, compressed, some never written (development only; h5py, numpy and scipy from Debian; the files are
committed).

- io/chunked.h5: an h5py array (z, y, x) = (7, 50, 45) of *big-endian* uint16 in chunks of (3, 16, 16), gzip + shuffle,
  fill value 5; voxel (x, y, z) holds x + 45 y + 2250 z except in the first chunk, never written (reads as 5). Edge
  chunks are partly outside the array, as HDF5 stores them. io/chunked-latest.h5: the same in HDF5's newest file
  format (libver "latest": a fixed-array chunk index instead of a B-tree).
- spark/nuclei-bdv.h5 + .xml: BigDataViewer's HDF5 (Fiji: File > Export > BigDataViewer) of a synthetic nuclear volume,
  24 x 128 x 128 voxels of 1 x 1 x 2 µm (x, y, z; the XML beside it), nuclei ~14 voxels across in xy, signed int16
  holding unsigned values, chunks (8, 32, 32) as BDV's subdivisions, gzip, and a half-size level 1.
"""
import os, sys
import h5py
import numpy as np
from scipy import ndimage

root = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj"
os.makedirs(os.path.join(root, "io"), exist_ok=True)
os.makedirs(os.path.join(root, "spark"), exist_ok=True)

z, y, x = np.mgrid[0:7, 0:50, 0:45]
values = (x + 45 * y + 2250 * z).astype(">u2")
# chunked.h5 with HDF5's oldest chunk index (a version-1 B-tree: h5py's default, and BigDataViewer's); chunked-latest.h5
# with the newest file format (libver="latest": a fixed-array chunk index, as HDF5 1.10+ writers with SWMR or
# libver latest make), otherwise the same
for name, libver in (("chunked.h5", "earliest"), ("chunked-latest.h5", "latest")):
    with h5py.File(os.path.join(root, "io", name), "w", libver=libver) as f:
        d = f.create_dataset("volume", shape=values.shape, dtype=">u2", chunks=(3, 16, 16), compression="gzip",
                             shuffle=True, fillvalue=5, track_times=False)
        # every chunk but the first: write chunk by chunk so that the first is never allocated
        for z0 in range(0, 7, 3):
            for y0 in range(0, 50, 16):
                for x0 in range(0, 45, 16):
                    if z0 == y0 == x0 == 0:
                        continue
                    d[z0:z0 + 3, y0:y0 + 16, x0:x0 + 16] = values[z0:z0 + 3, y0:y0 + 16, x0:x0 + 16]

rng = np.random.default_rng(7)
D, H, W = 24, 128, 128
signal = np.zeros((D, H, W), np.float32)
zz, yy, xx = np.mgrid[0:D, 0:H, 0:W]
placed = []
for _ in range(400):
    c = np.array([rng.uniform(1, D - 1) * 2, rng.uniform(6, H - 6), rng.uniform(6, W - 6)])  # physical (z in xy units)
    r = rng.uniform(5.5, 8)
    if any(np.linalg.norm(c - p) < 0.8 * (r + q) for p, q in placed):
        continue
    placed.append((c, r))
    inside = ((zz * 2 + 1 - c[0]) ** 2 + (yy - c[1]) ** 2 + (xx - c[2]) ** 2) < r * r
    signal[inside] = np.maximum(signal[inside], rng.uniform(0.4, 1.0))
image = ndimage.gaussian_filter(signal, (1.0, 1.2, 1.2)) * 3000 + 100
full = np.round(image / 100).astype(np.uint16) * 100  # coarse steps: a small file
with h5py.File(os.path.join(root, "spark", "nuclei-bdv.h5"), "w") as f:
    f.create_dataset("s00/resolutions", data=np.array([[1, 1, 1], [2, 2, 1]], np.float64), track_times=False)
    f.create_dataset("s00/subdivisions", data=np.array([[32, 32, 8], [16, 16, 8]], np.int32), track_times=False)
    f.create_dataset("t00000/s00/0/cells", data=full.view(np.int16), chunks=(8, 32, 32), compression="gzip",
                     track_times=False)
    f.create_dataset("t00000/s00/1/cells", data=full[:, ::2, ::2].view(np.int16), chunks=(8, 32, 32),
                     compression="gzip", track_times=False)
with open(os.path.join(root, "spark", "nuclei-bdv.xml"), "w") as f:
    f.write("""<?xml version="1.0" encoding="UTF-8"?>
<SpimData version="0.2">
  <BasePath type="relative">.</BasePath>
  <SequenceDescription>
    <ImageLoader format="bdv.hdf5">
      <hdf5 type="relative">nuclei-bdv.h5</hdf5>
    </ImageLoader>
    <ViewSetups>
      <ViewSetup>
        <id>0</id>
        <name>0</name>
        <size>%d %d %d</size>
        <voxelSize>
          <unit>µm</unit>
          <size>1.0 1.0 2.0</size>
        </voxelSize>
      </ViewSetup>
    </ViewSetups>
    <Timepoints type="range">
      <first>0</first>
      <last>0</last>
    </Timepoints>
  </SequenceDescription>
</SpimData>
""" % (W, H, D))
print("nuclei", len(placed))
