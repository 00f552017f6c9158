"""``ember.fft``: discrete Fourier transforms, as ``torch.fft``.

The functions live in ``ember/ops/fft.py`` (where their records are registered); this module is
the public namespace, loaded on first use of ``ember.fft``.
"""
from ember._tensor import Tensor
from ember.ops.fft import fftfreq, fftshift, ifftshift, rfftfreq

__all__ = ["Tensor", "fftfreq", "fftshift", "ifftshift", "rfftfreq"]
