"""The exceptions ``ember.onnx.export`` raises (torch.onnx.errors' names)."""

__all__ = ["OnnxExporterError", "UnsupportedOperatorError"]


class OnnxExporterError(RuntimeError):
    """An export failed."""


class UnsupportedOperatorError(OnnxExporterError):
    """The model calls an op that has no ONNX lowering (named with the module that called it)."""
