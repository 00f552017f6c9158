"""``ember.fft``: discrete Fourier transforms, as ``torch.fft``.

The functions live in ``ember/ops/fft.py`` (where their records are registered); this module is
the public namespace, loaded on first use of ``ember.fft``.
"""
from ember._tensor import Tensor
from ember.ops.fft import (fft, fft2, fftfreq, fftn, fftshift, hfft, hfft2, hfftn, ifft, ifft2,
                           ifftn, ifftshift, ihfft, ihfft2, ihfftn, irfft, irfft2, irfftn, rfft,
                           rfft2, rfftfreq, rfftn)

__all__ = ["Tensor", "fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn",
           "ifft", "ifft2", "ifftn", "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2",
           "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]
