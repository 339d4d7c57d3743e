#!/usr/bin/env python3
"""A Pascal VOC folder as CVAT ("Segmentation mask 1.1" / "PASCAL VOC 1.1" exports, written by datumaro), labelImg
and the VOC devkit lay it out, for TrainFilesVocTest (development only; the files are committed):

  voc/JPEGImages/cells.jpg            the image (JPEG)
  voc/Annotations/cells.xml           its boxes, as labelImg / CVAT write VOC XML
  voc/SegmentationObject/cells.png    instance masks: a palette PNG, index k = object k, VOC's colour map; 255 = "void",
                                      the 3-pixel band VOC draws along every object's outline
  voc/SegmentationClass/cells.png     class masks (index = class), the same void band
  voc/ImageSets/Segmentation/default.txt, voc/labelmap.txt

Objects: 1 = a disk of radius 9 at (20, 15) (class "round"), 2 = rows 30-45 x cols 40-64 (class "square"),
3 = a disk of radius 7 at (68, 15) (class "round"). The image is 80 x 56.
"""
import os, sys
import numpy as np
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/voc"
H, W = 56, 80
y, x = np.mgrid[0:H, 0:W]
objects = np.zeros((H, W), np.uint8)
objects[(y - 15) ** 2 + (x - 20) ** 2 <= 81] = 1
objects[30:46, 40:65] = 2
objects[(y - 15) ** 2 + (x - 68) ** 2 <= 49] = 3
classes = {1: 1, 2: 2, 3: 1}  # object -> class index (1 round, 2 square)


def voc_palette():
    """The VOC devkit's colour map (bit-interleaved), 256 entries."""
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


def void_band(ids):
    """VOC's void: pixels within 1 px of a boundary between different ids (a band about 3 px wide)."""
    edge = np.zeros(ids.shape, bool)
    for dy, dx in ((0, 1), (1, 0)):
        a, b = ids[: H - dy, : W - dx], ids[dy:, dx:]
        diff = a != b
        edge[: H - dy, : W - dx] |= diff
        edge[dy:, dx:] |= diff
    return edge


def save_palette(path, index):
    img = Image.fromarray(index, "P")
    img.putpalette(voc_palette())
    img.save(path)


for d in ("JPEGImages", "Annotations", "SegmentationObject", "SegmentationClass", "ImageSets/Segmentation"):
    os.makedirs(os.path.join(out, d), exist_ok=True)
band = void_band(objects)
inst = np.where(band, 255, objects).astype(np.uint8)
cls = np.where(band, 255, np.vectorize(lambda o: classes.get(o, 0))(objects)).astype(np.uint8)
save_palette(os.path.join(out, "SegmentationObject", "cells.png"), inst)
save_palette(os.path.join(out, "SegmentationClass", "cells.png"), cls)
rgb = np.stack([np.where(objects > 0, 200, 30)] * 3, -1).astype(np.uint8)
Image.fromarray(rgb).save(os.path.join(out, "JPEGImages", "cells.jpg"), quality=95)

names = {1: "round", 2: "square"}
boxes = ""
for o in (1, 2, 3):
    ys, xs = np.nonzero(objects == o)
    boxes += f"""  <object>
    <name>{names[classes[o]]}</name>
    <pose>Unspecified</pose>
    <truncated>0</truncated>
    <difficult>0</difficult>
    <bndbox>
      <xmin>{xs.min() + 1}</xmin>
      <ymin>{ys.min() + 1}</ymin>
      <xmax>{xs.max() + 1}</xmax>
      <ymax>{ys.max() + 1}</ymax>
    </bndbox>
  </object>
"""
with open(os.path.join(out, "Annotations", "cells.xml"), "w") as f:
    f.write(f"""<annotation>
  <folder>JPEGImages</folder>
  <filename>cells.jpg</filename>
  <source><database>Unknown</database></source>
  <size><width>{W}</width><height>{H}</height><depth>3</depth></size>
  <segmented>1</segmented>
{boxes}</annotation>
""")
with open(os.path.join(out, "ImageSets", "Segmentation", "default.txt"), "w") as f:
    f.write("cells\n")
with open(os.path.join(out, "labelmap.txt"), "w") as f:
    f.write("# label:color_rgb:parts:actions\nbackground:0,0,0::\nround:128,0,0::\nsquare:0,128,0::\n")
for o in (1, 2, 3):
    print("object", o, "pixels", int((objects == o).sum()), "outside the void band", int(((objects == o) & ~band).sum()))
