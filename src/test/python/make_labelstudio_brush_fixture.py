#!/usr/bin/env python3
"""A Label Studio JSON export with brush masks, for LabelStudioJsonTest (development only; the file is committed).

Label Studio stores a brush as value.rle: bytes in thi.ng's rle-pack code over the mask's RGBA values, row by row.
Two writers are reproduced from their published format:
- its editor (thi.ng rle-pack's encode, run-length sizes 3, 4, 8, 16): runs of one value repeated, and values that
  do not repeat grouped as they come; the pixels hold the label's colour (r, g, b, 255) or (0, 0, 0, 0);
- label-studio-converter's mask2rle (how SDK scripts import masks, exported back unchanged): run-length sizes 3, 4, 8,
  16, each value not repeated written alone, every channel of a pixel holding the mask value (0 or 255).
Each encoding is decoded back here by the format's reference decoder (label-studio-converter's decode_rle, written
out from its published description) before it is written.

The image is 64 x 48. Brush 1 (editor): the disk (x - 20)^2 + (y - 20)^2 <= 64. Brush 2 (converter): two strokes, the
rectangle x 40..55, y 25..40 and the square x 5..9, y 38..42 (inclusive). Then a polygon, and a brush drawn on a
128 x 96 copy of the image (refused by size: tested separately by the test itself, not in this file).
"""
import json, os, sys
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/labelstudio"
os.makedirs(out, exist_ok=True)
W, H = 64, 48
y, x = np.mgrid[0:H, 0:W]
disk = (x - 20) ** 2 + (y - 20) ** 2 <= 64
strokes = ((x >= 40) & (x <= 55) & (y >= 25) & (y <= 40)) | ((x >= 5) & (x <= 9) & (y >= 38) & (y <= 42))


def pack(values, word, sizes, group_literals):
    """rle-pack's bit layout; group_literals: the editor's grouping (else the converter's one value per group)."""
    assert all(1 <= s <= 16 for s in sizes), "a run-length size is stored in 4 bits"
    bits = [f"{len(values):032b}", f"{word - 1:05b}"] + [f"{s - 1:04b}" for s in sizes]
    longest = 1 << sizes[3]

    def group(repeat, payload, n):
        k = next(k for k, s in enumerate(sizes) if n - 1 < (1 << s))
        bits.append(("1" if repeat else "0") + f"{k:02b}" + format(n - 1, f"0{sizes[k]}b")
                    + "".join(format(int(v), f"0{word}b") for v in payload))

    literal = []

    def flush():
        while literal:
            part = literal[:longest]
            del literal[:longest]
            group(False, part, len(part))

    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i] and j - i < longest:
            j += 1
        if j - i == 1:
            if group_literals:
                literal.append(values[i])
            else:
                group(False, [values[i]], 1)
        else:
            flush()
            group(True, [values[i]], j - i)
        i = j
    flush()
    s = "".join(bits)
    s += "0" * (-len(s) % 8)
    return [int(s[k:k + 8], 2) for k in range(0, len(s), 8)]


def unpack(rle):
    """label-studio-converter's decode_rle, as its documentation and the rle-pack decoder describe it."""
    bits = "".join(f"{b:08b}" for b in rle)
    at = 0

    def read(n):
        nonlocal at
        v = int(bits[at:at + n], 2)
        at += n
        return v

    num, word = read(32), read(5) + 1
    sizes = [read(4) + 1 for _ in range(4)]
    values, i = np.zeros(num, np.uint32), 0
    while i < num:
        repeat = read(1)
        j = i + 1 + read(sizes[read(2)])
        if repeat:
            values[i:j] = read(word)
            i = j
        else:
            while i < j:
                values[i] = read(word)
                i += 1
    return values


editor = np.zeros((H, W, 4), np.uint8)
editor[disk] = (255, 127, 14, 255)
editor_rle = pack(list(editor.ravel()), 8, [3, 4, 8, 16], True)
converter_rle = pack(list(np.repeat((strokes * 255).astype(np.uint8).ravel(), 4)), 8, [3, 4, 8, 16], False)
assert np.array_equal(unpack(editor_rle).reshape(H, W, 4)[:, :, 3] > 0, disk)
assert np.array_equal(unpack(converter_rle).reshape(H, W, 4)[:, :, 3] > 0, strokes)


def result(rid, kind, value):
    return {"original_width": W, "original_height": H, "image_rotation": 0, "value": value, "id": rid,
            "from_name": "tag", "to_name": "image", "type": kind, "origin": "manual"}


export = [{"id": 12, "data": {"image": "/data/upload/5/9f8e7d6c-cells.png"},
           "annotations": [{"id": 40, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
                            "result": [
                                result("b1", "brushlabels", {"format": "rle", "rle": editor_rle,
                                                             "brushlabels": ["Nucleus"]}),
                                result("b2", "brushlabels", {"format": "rle", "rle": converter_rle,
                                                             "brushlabels": ["Nucleus"]}),
                                result("p1", "polygonlabels", {"points": [[75, 10.416666666666666],
                                                                          [90.625, 10.416666666666666],
                                                                          [90.625, 31.25]], "closed": True,
                                                               "polygonlabels": ["Nucleus"]})]}],
           "predictions": [], "file_upload": "9f8e7d6c-cells.png"}]
with open(os.path.join(out, "brush-export.json"), "w") as f:
    json.dump(export, f)
print("wrote", os.path.join(out, "brush-export.json"), len(editor_rle), "+", len(converter_rle), "bytes of brushes")
