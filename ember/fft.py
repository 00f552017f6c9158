"""``ember.fft``: discrete Fourier transforms, as ``torch.fft``.

The functions live in ``ember/ops/fft.py`` (where their records are registered); this module is
the public namespace, loaded on first use of ``ember.fft``. It exports the registry's public forms
of the transforms, which take torch's keyword aliases (``axis=`` for ``dim``, ``x=`` for
``input``) as torch's parser does.
"""
from ember._tensor import Tensor
from ember.ops.fft import fftfreq, rfftfreq
from ember.ops.registry import OPS as _OPS

_TRANSFORMS = ("fft", "fft2", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2",
               "ifftn", "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn",
               "rfft", "rfft2", "rfftn")
(fft, fft2, fftn, fftshift, hfft, hfft2, hfftn, ifft, ifft2, ifftn, ifftshift, ihfft, ihfft2,
 ihfftn, irfft, irfft2, irfftn, rfft, rfft2, rfftn) = (_OPS["fft." + n].func for n in _TRANSFORMS)

__all__ = ["Tensor", "fftfreq", "rfftfreq", *_TRANSFORMS]
