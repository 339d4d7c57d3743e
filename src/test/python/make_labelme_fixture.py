#!/usr/bin/env python3
"""A labelme file written by labelme's own code (Debian's labelme 5.1.1), and the instances labelme itself draws from
it, for LabelmeJsonTest (development only; the files are committed).

cells.json is what labelme's Save writes: LabelFile.save with each shape formatted as MainWindow.saveLabels formats
it (label, points, group_id, shape_type, flags) and the image embedded (imageData, labelme's default). Shapes: a
polygon, a rectangle dragged from its bottom-right corner, a circle (centre and a point on it), two polygons sharing
label and group_id (one object in labelme's own shapes_to_label), and a point (not an object for training).
cells-expected.png holds labelme.utils.shapes_to_label's instance ids for the shapes other than the point.
"""
import io, os, sys
import numpy as np
import PIL.Image
from labelme import __version__
from labelme.label_file import LabelFile
from labelme.utils import shapes_to_label

out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/cnnj/ij/labelme"
os.makedirs(out, exist_ok=True)
H, W = 60, 80
image = (np.indices((H, W)).sum(0) % 200 + 30).astype(np.uint8)
PIL.Image.fromarray(image).save(os.path.join(out, "cells.png"))


def shape(label, points, shape_type, group_id=None):
    return dict(label=label, points=[(float(x), float(y)) for x, y in points], group_id=group_id,
                shape_type=shape_type, flags={})


shapes = [
    shape("nucleus", [(10.5, 8), (24, 6.5), (27, 19), (12, 22.5)], "polygon"),
    shape("nucleus", [(70, 30), (52, 12)], "rectangle"),
    shape("nucleus", [(20, 42), (28, 45)], "circle"),
    shape("cell", [(40, 40), (48, 40), (48, 50), (40, 50)], "polygon", group_id=1),
    shape("cell", [(52, 44), (60, 42), (58, 54)], "polygon", group_id=1),
    shape("nucleus", [(75, 55)], "point"),
]
LabelFile().save(os.path.join(out, "cells.json"), shapes, "cells.png", H, W,
                 imageData=LabelFile.load_image_file(os.path.join(out, "cells.png")), otherData={}, flags={})
names = {"_background_": 0, "nucleus": 1, "cell": 2}
_, instances = shapes_to_label((H, W), [s for s in shapes if s["shape_type"] != "point"], names)
assert instances.max() == 4, instances.max()
PIL.Image.fromarray(instances.astype(np.uint8)).save(os.path.join(out, "cells-expected.png"))
print("labelme", __version__, "wrote", sorted(os.listdir(out)))
