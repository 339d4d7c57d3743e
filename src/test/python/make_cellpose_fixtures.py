#!/usr/bin/env python3
"""NumPy files as Cellpose and NumPy write them, for NpyTest and LabelImagesTest (development only; the files are
committed, so the tests need no Python).

- gui_seg.npy: what Cellpose's GUI saves beside a 2-D image (gui/io.py _save_sets, NZ == 1): np.save of a dict with
  outlines, colors, masks (uint16, y x), chan_choose, filename, flows, ismanual, manual_changes, model_path, thresholds,
  normalize_params, restore, ratio, diameter — NumPy 1's np.save (pickle protocol 3, numpy.core names).
- volume_seg.npy: the GUI's save of a z-stack (NZ > 1): masks (z, y, x), zdraw with NumPy scalars and None,
  current_channel, and what a script might add (a string array, a date, a complex scalar); written with pickle
  protocol 5 (arrays through numpy's _frombuffer and in-band bytearrays).
- notebook_seg.npy: io.masks_flows_to_seg from a notebook (masks uint32 in Fortran order, est_diam as a NumPy float,
  img), as NumPy 2 writes it: protocol 4 with frames and numpy._core names.
- legacy_seg.npy: an early Cellpose file, int32 masks with -1 for background, pickle protocol 2 (bytes through
  _codecs.encode).
- masks_be.npy: a plain big-endian uint16 array (np.save of masks, no pickle).

The masks: objects 1-3 are the rectangles of masks(z) below (object 3 touches the right edge); in the volume object k
is on planes z with (z + k) % 4 != 0.
"""
import os, pickle, sys
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/io/cellpose"
os.makedirs(out, exist_ok=True)
H, W = 30, 40


def masks(z=0, planes=False):
    m = np.zeros((H, W), np.uint16)
    for k, (y0, y1, x0, x1) in enumerate([(2, 10, 3, 13), (12, 26, 20, 36), (0, 6, 30, 40)], start=1):
        if not planes or (z + k) % 4 != 0:
            m[y0:y1, x0:x1] = k
    return m


def outlines(m):
    o = np.zeros_like(m)
    inner = m[1:-1, 1:-1]
    edge = (inner != m[:-2, 1:-1]) | (inner != m[2:, 1:-1]) | (inner != m[1:-1, :-2]) | (inner != m[1:-1, 2:])
    o[1:-1, 1:-1] = np.where(edge, inner, 0)
    return o


def flows(m):
    rgb = np.zeros(m.shape + (3,), np.uint8)
    rgb[m > 0] = (200, 40, 90)
    prob = (m > 0).astype(np.uint8) * 255
    dydx = np.stack([np.gradient(m.astype(np.float32), axis=a) for a in (0, 1)] + [m.astype(np.float32)])
    return [rgb[np.newaxis], prob[np.newaxis], np.zeros_like(prob)[np.newaxis], dydx[:, np.newaxis], [[]]]


def header_and(pickled, path):
    """A .npy file of a 0-d object array holding what `pickled` pickles, as np.save lays it out."""
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }"
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + pickled)


normalize = {"lowhigh": None, "percentile": [1.0, 99.0], "normalize": True, "norm3D": True, "sharpen_radius": 0,
             "smooth_radius": 0, "tile_norm_blocksize": 0, "tile_norm_smooth3D": 1, "invert": False}
m = masks()
gui = {"outlines": outlines(m), "colors": np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8), "masks": m,
       "chan_choose": [0, 0], "filename": "/home/user/cells/cells.png", "flows": flows(m),
       "ismanual": np.array([True, False, False]), "manual_changes": [], "model_path": 0, "flow_threshold": 0.4,
       "cellprob_threshold": 0.0, "normalize_params": normalize, "restore": None, "ratio": 1.0, "diameter": 30.0}
np.save(os.path.join(out, "gui_seg.npy"), gui)

vol = np.stack([masks(z, planes=True) for z in range(4)])
volume = {"outlines": np.stack([outlines(p) for p in vol]), "colors": gui["colors"], "masks": vol,
          "current_channel": 0, "filename": "/home/user/cells/stack.tif", "flows": [[], [], [], [], [[]]],
          "zdraw": [np.int16(-1), None, np.int16(2)], "model_path": "/home/user/.cellpose/models/cyto3",
          "flow_threshold": 0.4, "cellprob_threshold": 0.0, "normalize_params": normalize, "restore": None,
          "ratio": 1.0, "diameter": 17.5,
          # not Cellpose's, but what a script may add beside them: strings, a date, a complex number
          "notes": np.array(["first", "second"]), "saved": np.datetime64("2026-12-07"), "phase": np.complex64(1j)}
header_and(pickle.dumps(np.asanyarray(volume, dtype=object), protocol=5), os.path.join(out, "volume_seg.npy"))

notebook = {"outlines": outlines(m), "masks": np.asfortranarray(m.astype(np.uint32)), "chan_choose": [2, 1],
            "ismanual": np.zeros(3, bool), "filename": "cells.tif", "flows": flows(m), "est_diam": np.float64(23.4),
            "img": (m * 10.0).astype(np.float32)}
p4 = pickle.dumps(np.asanyarray(notebook, dtype=object), protocol=4)
old, new = b"\x8c\x15numpy.core.multiarray", b"\x8c\x16numpy._core.multiarray"
n = p4.count(old)
assert p4[2:3] == b"\x95" and n > 0, "expected one frame holding NumPy 1's module name"
frame = int.from_bytes(p4[3:11], "little")
assert 11 + frame <= len(p4) and p4.rfind(old) < 11 + frame, "the names must lie in the first frame"
p4 = p4[:3] + (frame + n).to_bytes(8, "little") + p4[11:].replace(old, new)
header_and(p4, os.path.join(out, "notebook_seg.npy"))

legacy = {"masks": m.astype(np.int32) - 1, "outlines": outlines(m).astype(np.int32) - 1, "filename": "cells.png",
          "chan_choose": [0, 0], "est_diam": 30.0}
header_and(pickle.dumps(np.asanyarray(legacy, dtype=object), protocol=2), os.path.join(out, "legacy_seg.npy"))

np.save(os.path.join(out, "masks_be.npy"), m.astype(">u2"))

# Read back as NumPy does (numpy._core named as NumPy 2 names it): what the files hold is what was meant.
sys.modules.setdefault("numpy._core", np.core)
sys.modules.setdefault("numpy._core.multiarray", np.core.multiarray)
for name, want in [("gui_seg.npy", m), ("notebook_seg.npy", m), ("volume_seg.npy", vol)]:
    got = np.load(os.path.join(out, name), allow_pickle=True).item()["masks"]
    assert np.array_equal(got, want), name
assert np.array_equal(np.load(os.path.join(out, "legacy_seg.npy"), allow_pickle=True).item()["masks"] + 1, m)
assert np.array_equal(np.load(os.path.join(out, "masks_be.npy")), m)
print("wrote", sorted(os.listdir(out)))
