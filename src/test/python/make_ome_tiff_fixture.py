#!/usr/bin/python3
"""A small OME-TIFF z-stack as Python tools write it (tifffile's ome=True, which aicsimageio and napari plugins use):
the voxel size only in the OME-XML (PhysicalSizeZ/Y/X), none in ImageJ's own tags. For TiffsTest.

Development only: /usr/bin/python3 src/test/python/make_ome_tiff_fixture.py (Debian python3-tifffile).
"""
import numpy as np
import tifffile

rng = np.random.default_rng(3)
stack = (rng.random((4, 8, 8)) * 1000).astype(np.uint16)
tifffile.imwrite(
    "src/test/resources/org/cnnj/ij/ome/tifffile-zyx.ome.tif", stack, ome=True,
    metadata={"axes": "ZYX", "PhysicalSizeZ": 2.2, "PhysicalSizeY": 0.5, "PhysicalSizeX": 0.5,
              "PhysicalSizeZUnit": "µm", "PhysicalSizeYUnit": "µm", "PhysicalSizeXUnit": "µm"})
print("wrote tifffile-zyx.ome.tif, tifffile", tifffile.__version__)
