#!/usr/bin/env python3
"""HDF5 label images as ilastik exports them, for Hdf5LabelsTest (development only; h5py from Debian; the files are
committed). ilastik writes its exports with h5py: the dataset "exported_data", chunked and gzip-compressed, with
vigra's "axistags" attribute (JSON: one entry per axis, key t/z/y/x/c) — for a 2-D image the axes are y, x, c
(one channel); for a stack z, y, x, c. Object Classification's "Object Identities" are uint32 instance labels,
Pixel Classification's "Simple Segmentation" uint8 classes, "Probabilities" float32 with a channel per class.

- cells_Object Identities.h5: (30, 40, 1) uint32, axes yxc, gzip; objects 1 = rows 2-9 x cols 3-12, 70000 = rows
  12-25 x cols 20-35 (beyond 16 bits).
- stack_Object Identities.h5: (3, 30, 40, 1) uint32, axes zyxc, lzf (h5py's own filter); page z holds (z + 1) x the ids
  1 and 2 of the objects above.
- xy-order.h5: the 2-D labels stored with axes x, y (transposed), uint16, no compression.
- plain.h5: a (30, 40) int64 array "labels" without axistags, as a Python script saves one (h5py, not ilastik).
- probabilities.h5: (30, 40, 2) float32, axes yxc: what must be refused as labels.
- two.h5: two 2-D datasets "a" and "b" and no exported_data: which one is meant cannot be told.
"""
import json, os, sys
import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/hdf5"
os.makedirs(out, exist_ok=True)
H, W = 30, 40


def axistags(keys):
    flags = {"c": 1, "x": 2, "y": 2, "z": 2, "t": 8}
    return json.dumps({"axes": [{"key": k, "typeFlags": flags[k], "resolution": 0, "description": ""} for k in keys]},
                      indent=2)


def export(path, data, keys, **options):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("exported_data", data=data, chunks=True, **options)
        d.attrs["axistags"] = axistags(keys)


labels = np.zeros((H, W), np.uint32)
labels[2:10, 3:13] = 1
labels[12:26, 20:36] = 70000
export(os.path.join(out, "cells_Object Identities.h5"), labels[..., None], "yxc", compression="gzip")
small = np.where(labels == 70000, 2, labels)
export(os.path.join(out, "stack_Object Identities.h5"), np.stack([small * (z + 1) for z in range(3)])[..., None],
       "zyxc", compression="lzf")
export(os.path.join(out, "xy-order.h5"), small.T.astype(np.uint16), "xy")
with h5py.File(os.path.join(out, "plain.h5"), "w") as f:
    f.create_dataset("labels", data=small.astype(np.int64))
export(os.path.join(out, "probabilities.h5"), np.random.default_rng(1).random((H, W, 2), np.float32), "yxc")
with h5py.File(os.path.join(out, "two.h5"), "w") as f:
    f.create_dataset("a", data=small.astype(np.uint8))
    f.create_dataset("b", data=small.astype(np.uint8))
print("wrote", sorted(os.listdir(out)))
