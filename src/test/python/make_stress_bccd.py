"""Blood-smear photographs as other labs' cameras and stains make them, to see how a detector copes.

Development tool (Debian python3: numpy, Pillow), never a test requirement. For each X.jpg + X.xml (Pascal VOC) in
--data it writes OUT/stain/, OUT/faded/, OUT/dark/ and OUT/small/ with the same names:

- stain: another stain batch: hues turned by 15 degrees (pink red cells towards orange, purple nuclei towards blue).
- faded: a paler stain (thin smear, short staining): colour saturation x0.55.
- dark: under-exposed by 40%, saved at JPEG quality 60 (a cheaper camera's compression).
- small: another magnification: the photograph scaled to 80% (its boxes alike, the VOC <size> updated).
- roboflow416: BCCD as Roboflow's public copy serves it (the most used BCCD download): each photograph stretched to
  416 x 416 (its "Resize: Stretch to 416x416" step, so cells are squeezed x0.65 across and x0.87 down), renamed
  NAME_jpg.rf.HASH.jpg, boxes in one COCO file _annotations.coco.json whose category 0 is the dataset's name.

A detector normalizes each channel by its percentiles, so a white balance or exposure alone (a gain per channel) would
change little: the stain and faded versions mix the channels, as real stains differ.

Derived from BCCD val, not other labs' images: a check of robustness, not a held-out source.

python3 src/test/python/make_stress_bccd.py --data ../shared/data/bccd/val --out /tmp/bccd-stress
"""
import argparse
import hashlib
import json
import pathlib
import re

import numpy as np
from PIL import Image, ImageEnhance


def scaled_xml(text, factor, width, height):
    def box(m):
        return "<%s>%d</%s>" % (m.group(1), round(int(m.group(2)) * factor), m.group(1))

    text = re.sub(r"<(xmin|ymin|xmax|ymax)>(\d+)</\1>", box, text)
    text = re.sub(r"<width>\d+</width>", "<width>%d</width>" % width, text)
    return re.sub(r"<height>\d+</height>", "<height>%d</height>" % height, text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    out = pathlib.Path(a.out)
    for kind in ("stain", "faded", "dark", "small", "roboflow416"):
        (out / kind).mkdir(parents=True, exist_ok=True)
    coco = {"info": {"description": "BCCD, stretched to 416x416 as Roboflow serves it"}, "licenses": [],
            "categories": [{"id": 0, "name": "cells", "supercategory": "none"},
                           {"id": 1, "name": "Platelets", "supercategory": "cells"},
                           {"id": 2, "name": "RBC", "supercategory": "cells"},
                           {"id": 3, "name": "WBC", "supercategory": "cells"}],
            "images": [], "annotations": []}
    for jpg in sorted(pathlib.Path(a.data).glob("*.jpg")):
        xml = jpg.with_suffix(".xml")
        if not xml.exists():
            continue
        text = xml.read_text()
        photo = Image.open(jpg).convert("RGB")
        rgb = np.asarray(photo).astype(np.float64)
        hsv = np.asarray(photo.convert("HSV")).copy()
        hsv[..., 0] = (hsv[..., 0].astype(np.int32) + round(15 / 360 * 256)) % 256
        Image.fromarray(hsv, "HSV").convert("RGB").save(out / "stain" / jpg.name, quality=95)
        ImageEnhance.Color(photo).enhance(0.55).save(out / "faded" / jpg.name, quality=95)
        Image.fromarray(np.clip(rgb * 0.6, 0, 255).astype(np.uint8)).save(out / "dark" / jpg.name, quality=60)
        h, w = rgb.shape[:2]
        sw, sh = round(w * 0.8), round(h * 0.8)
        Image.open(jpg).convert("RGB").resize((sw, sh), Image.BILINEAR).save(out / "small" / jpg.name, quality=95)
        for kind in ("stain", "faded", "dark"):
            (out / kind / xml.name).write_text(text)
        (out / "small" / xml.name).write_text(scaled_xml(text, 0.8, sw, sh))
        roboflow(jpg, text, w, h, out / "roboflow416", coco)
    (out / "roboflow416" / "_annotations.coco.json").write_text(json.dumps(coco))


def roboflow(jpg, text, w, h, out, coco):
    """The photograph stretched to 416 x 416 with its boxes in COCO (0-based x, y, width, height), as Roboflow exports."""
    name = "%s_jpg.rf.%s.jpg" % (jpg.stem, hashlib.md5(jpg.name.encode()).hexdigest()[:20])
    Image.open(jpg).convert("RGB").resize((416, 416), Image.BILINEAR).save(out / name, quality=95)
    image_id = len(coco["images"])
    coco["images"].append({"id": image_id, "license": 1, "file_name": name, "height": 416, "width": 416})
    ids = {c["name"]: c["id"] for c in coco["categories"]}
    sx, sy = 416 / w, 416 / h
    for m in re.finditer(r"<name>(\w+)</name>.*?<xmin>(\d+)</xmin>\s*<ymin>(\d+)</ymin>\s*<xmax>(\d+)</xmax>\s*"
                         r"<ymax>(\d+)</ymax>", text, re.S):
        cls, x1, y1, x2, y2 = m.group(1), *map(int, m.groups()[1:])
        box = [(x1 - 1) * sx, (y1 - 1) * sy, (x2 - x1 + 1) * sx, (y2 - y1 + 1) * sy]
        coco["annotations"].append({"id": len(coco["annotations"]), "image_id": image_id, "category_id": ids[cls],
                                    "bbox": [round(v, 1) for v in box], "area": round(box[2] * box[3], 1),
                                    "segmentation": [], "iscrowd": 0})


if __name__ == "__main__":
    main()
