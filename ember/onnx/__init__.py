"""Export ember models to ONNX (torch.onnx).

``export`` runs the model once, records the ember ops it applies and writes their ONNX
lowerings with the ``onnx`` package (the optional extra ``ember[onnx]``; imported only when
``export`` runs).
"""
from ember.onnx._trace import TracerWarning
from ember.onnx.errors import OnnxExporterError, UnsupportedOperatorError
from ember.onnx.utils import TrainingMode, export, is_in_onnx_export

__all__ = ["export", "is_in_onnx_export", "OnnxExporterError", "UnsupportedOperatorError",
           "TracerWarning", "TrainingMode"]
