#!/usr/bin/env python3
"""HDF5 *images* (not labels) as the tools that write them do, for Hdf5ImagesTest (development only; h5py and numpy from
Debian; the files are committed). Every image is 40 wide and 30 high; pixel (x, y) of channel c, slice z, frame t holds
value(x, y, c, z, t) below, so a test can check every pixel of every plane.

- ilastik4ij.h5: Fiji's ilastik plugin (Plugins > ilastik > Export HDF5): dataset "/data", always five axes in the order
  t, z, y, x, c (ilastik4ij's default), vigra's "axistags" attribute, gzip; here 2 frames, 3 slices, 2 channels of
  uint16 with values above 32767 (unsigned).
- raw-zyx.h5: what ilastik's docs tell users to do before a big project (convert the data to HDF5 with h5py): one uint8
  array "raw" (z, y, x) and no axistags.
- rgb.h5: a colour photograph saved by h5py, (y, x, 3) uint8, no axistags.
- float_Probabilities.h5: ilastik's export "exported_data", (y, x, c) float32 with axistags, one channel (beside an image
  "float.h5" in a folder it is ilastik's output, not an image).
- bdv.h5 + bdv.xml: BigDataViewer / BigStitcher's HDF5 (Fiji's File > Export > BigDataViewer): a resolution pyramid per
  setup and time point, /t00000/s00/0/cells (z, y, x) stored as *signed* int16 that BDV reads as unsigned 16-bit
  (values above 32767 wrap), /s00/resolutions and /s00/subdivisions, a half-size level 1; the XML beside it gives the
  voxel size 0.5 x 0.5 x 2 µm.
- bdv-two.h5: the same layout with two setups (two views): which one is meant cannot be told.
- huge.h5: a (46000, 46000) uint16 "data" array in chunks none of which is written (a few KB on disk, 4 GB as an
  image): must be refused before it is read where the heap is smaller; huger.h5: (3, 46000, 46000), more values than
  one Java array holds.
"""
import os, sys, json
import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/hdf5"
os.makedirs(out, exist_ok=True)
H, W = 30, 40
y, x = np.mgrid[0:H, 0:W]


def value(c, z, t):
    return x + 40 * y + 1200 * c + 3000 * z + 10000 * t


def axistags(keys):
    flags = {"c": 1, "x": 2, "y": 2, "z": 2, "t": 8}
    return json.dumps({"axes": [{"key": k, "typeFlags": flags[k], "resolution": 0, "description": ""} for k in keys]},
                      indent=2)


# ilastik4ij: t, z, y, x, c; values up to 2*10000 + 2*3000 + 1200 + 1199 + 20000 offset -> above 32767
tzyxc = np.zeros((2, 3, H, W, 2), np.uint16)
for t in range(2):
    for z in range(3):
        for c in range(2):
            tzyxc[t, z, :, :, c] = value(c, z, t) + 20000
with h5py.File(os.path.join(out, "ilastik4ij.h5"), "w") as f:
    d = f.create_dataset("data", data=tzyxc, chunks=(1, 1, H, W, 2), compression="gzip")
    d.attrs["axistags"] = axistags("tzyxc")

with h5py.File(os.path.join(out, "raw-zyx.h5"), "w") as f:
    f.create_dataset("raw", data=np.stack([value(0, z, 0) % 256 for z in range(3)]).astype(np.uint8))

with h5py.File(os.path.join(out, "rgb.h5"), "w") as f:
    f.create_dataset("image", data=np.stack([value(c, 0, 0) % 256 for c in range(3)], -1).astype(np.uint8))

with h5py.File(os.path.join(out, "float_Probabilities.h5"), "w") as f:
    d = f.create_dataset("exported_data", data=(value(0, 0, 0) / 1200.0).astype(np.float32)[..., None], chunks=True)
    d.attrs["axistags"] = axistags("yxc")


def bdv(path, setups):
    with h5py.File(path, "w") as f:
        for s in range(setups):
            f.create_dataset("s%02d/resolutions" % s, data=np.array([[1, 1, 1], [2, 2, 1]], np.float64))
            f.create_dataset("s%02d/subdivisions" % s, data=np.array([[32, 32, 4], [16, 16, 4]], np.int32))
            full = np.stack([value(0, z, 0) + 30000 + 100 * s for z in range(3)]).astype(np.uint16)
            f.create_dataset("t00000/s%02d/0/cells" % s, data=full.view(np.int16), chunks=(3, 30, 32),
                             compression="gzip")
            f.create_dataset("t00000/s%02d/1/cells" % s, data=full[:, ::2, ::2].view(np.int16))


bdv(os.path.join(out, "bdv.h5"), 1)
bdv(os.path.join(out, "bdv-two.h5"), 2)
with open(os.path.join(out, "bdv.xml"), "w") as f:
    f.write("""<?xml version="1.0" encoding="UTF-8"?>
<SpimData version="0.2">
  <BasePath type="relative">.</BasePath>
  <SequenceDescription>
    <ImageLoader format="bdv.hdf5">
      <hdf5 type="relative">bdv.h5</hdf5>
    </ImageLoader>
    <ViewSetups>
      <ViewSetup>
        <id>0</id>
        <name>0</name>
        <size>40 30 3</size>
        <voxelSize>
          <unit>µm</unit>
          <size>0.5 0.5 2.0</size>
        </voxelSize>
      </ViewSetup>
    </ViewSetups>
    <Timepoints type="range">
      <first>0</first>
      <last>0</last>
    </Timepoints>
  </SequenceDescription>
</SpimData>
""")
for name, shape in (("huge.h5", (46000, 46000)), ("huger.h5", (3, 46000, 46000))):
    with h5py.File(os.path.join(out, name), "w") as f:
        f.create_dataset("data", shape=shape, dtype=np.uint16, chunks=(1024, 1024) if len(shape) == 2 else (1, 1024, 1024))
print("wrote", sorted(os.listdir(out)))
