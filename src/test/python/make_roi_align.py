"""Writes src/test/resources/golden/roi_align.onnx: one ONNX RoiAlign-16 node (half_pixel, avg,
sampling_ratio 2, 3x3 output, spatial_scale 0.25) with fixed boxes as initializers, so the Java test
can run any feature map through ONNX Runtime and compare with org.cnnj.ops.RoiAlign.
Run with Debian's python3 (python3-onnx): /usr/bin/python3 src/test/python/make_roi_align.py"""
import numpy as np
import onnx
from onnx import TensorProto, helper

# x1, y1, x2, y2 in input pixels (feature map 10x12 at stride 4 = 40x48 input): inside, partly outside,
# tiny, whole image, and one on the second sample.
rois = np.array([[4, 6, 30, 22], [-10, -6, 12, 14], [20, 20, 21.5, 22], [0, 0, 48, 40], [33, 5, 47, 39]], dtype=np.float32)
batch = np.array([0, 0, 1, 0, 1], dtype=np.int64)
node = helper.make_node("RoiAlign", ["input", "rois", "batch"], ["output"], mode="avg", output_height=3, output_width=3,
                        sampling_ratio=2, spatial_scale=0.25, coordinate_transformation_mode="half_pixel")
graph = helper.make_graph([node], "roi_align",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 3, 10, 12])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [5, 3, 3, 3])],
                          [helper.make_tensor("rois", TensorProto.FLOAT, rois.shape, rois.flatten()),
                           helper.make_tensor("batch", TensorProto.INT64, batch.shape, batch)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, "src/test/resources/golden/roi_align.onnx")
print("wrote roi_align.onnx")
