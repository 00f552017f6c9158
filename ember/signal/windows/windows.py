"""The window functions of ``torch.signal.windows``, built from ember ops as torch builds them
(a ``linspace`` of the window's argument, then the window's formula), so that the values round
as torch's and ``requires_grad=True`` gives the same graph.

``sym=True`` (the default) gives a symmetric window for filter design; ``sym=False`` the periodic
one for spectral analysis (the first ``M`` points of the symmetric window of length ``M + 1``).
The ``torch.*_window`` functions (``ember/ops/creation.py``) take ``periodic`` instead.
"""
import math
from collections.abc import Iterable

from ember import _dtype


def _check(name, M, dtype, layout):
    dtype = _dtype.get_default_dtype() if dtype is None else _dtype.as_dtype(dtype)
    if M < 0:
        raise ValueError("%s requires non-negative window length, got M=%d" % (name, M))
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError("%s is implemented for strided tensors only, got: %s" % (name, layout))
    if dtype not in (_dtype.float32, _dtype.float64):
        raise ValueError("%s expects float32 or float64 dtypes, got: %s" % (name, dtype))
    return dtype


def _trivial(M, dtype, device, requires_grad, ones_too=True):
    """The window of length 0 (and 1, whose one value is 1), or None."""
    import ember

    if M == 0:
        return ember.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if M == 1 and ones_too:
        return ember.ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    return None


def _span(M, sym):
    """The denominator of the window's argument: ``M - 1`` (symmetric) or ``M`` (periodic)."""
    return M if not sym and M > 1 else M - 1


def _linspace(start, end, M, dtype, device, requires_grad):
    import ember

    return ember.linspace(start, end, M, dtype=dtype, device=device, requires_grad=requires_grad)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
                requires_grad=False):
    """``w_n = exp(-|n - c| / tau)`` with ``c`` the centre (default: the middle of the window).

    Example:
        >>> import ember
        >>> ember.signal.windows.exponential(5)
        tensor([0.1353, 0.3679, 1.0000, 0.3679, 0.1353])
    """
    dtype = _check("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError("Tau must be positive, got: %s instead." % tau)
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    empty = _trivial(M, dtype, device, requires_grad, ones_too=False)
    if empty is not None:
        return empty
    if center is None:
        center = _span(M, sym) / 2.0
    k = _linspace(-center / tau, (M - 1 - center) / tau, M, dtype, device, requires_grad)
    return (-k.abs()).exp()


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The cosine (sine) window ``w_n = sin(pi (n + 1/2) / M)``."""
    dtype = _check("cosine", M, dtype, layout)
    empty = _trivial(M, dtype, device, requires_grad, ones_too=False)
    if empty is not None:
        return empty
    step = math.pi / (M + 1 if not sym and M > 1 else M)
    return _linspace(0.5 * step, (M - 0.5) * step, M, dtype, device, requires_grad).sin()


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``w_n = exp(-(n - (M - 1) / 2)^2 / (2 std^2))``."""
    dtype = _check("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError("Standard deviation must be positive, got: %s instead." % std)
    empty = _trivial(M, dtype, device, requires_grad, ones_too=False)
    if empty is not None:
        return empty
    start, scale = -_span(M, sym) / 2.0, 1 / (std * math.sqrt(2))
    k = _linspace(start * scale, (start + M - 1) * scale, M, dtype, device, requires_grad)
    return (-(k ** 2)).exp()


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None,
           requires_grad=False):
    """``w_n = I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta)``."""
    import ember

    dtype = _check("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError("beta must be non-negative, got: %s instead." % beta)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    beta = ember.tensor(beta, dtype=dtype)
    step = 2.0 * beta / (M if not sym else M - 1)
    end = ember.minimum(beta, -beta + (M - 1) * step)
    k = _linspace(-beta.item(), end.item(), M, dtype, device, requires_grad)
    return ember.i0((beta * beta - k ** 2).sqrt()) / ember.i0(beta)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """``w_n = sum_i (-1)^i a_i cos(2 pi i n / (M - 1))`` for the coefficients ``a``."""
    import ember

    dtype = _check("general_cosine", M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    step = 2 * math.pi / (M if not sym else M - 1)
    k = _linspace(0, (M - 1) * step, M, dtype, device, requires_grad)
    coeffs = ember.tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype,
                          requires_grad=requires_grad)
    i = ember.arange(coeffs.shape[0], dtype=dtype, requires_grad=requires_grad)
    return (coeffs.unsqueeze(-1) * (i.unsqueeze(-1) * k).cos()).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``w_n = alpha - (1 - alpha) cos(2 pi n / (M - 1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hamming window: :func:`general_hamming` with ``alpha=0.54``."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hann window: :func:`general_hamming` with ``alpha=0.5``.

    Example:
        >>> import ember
        >>> ember.signal.windows.hann(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Blackman window: :func:`general_cosine` with ``a = [0.42, 0.5, 0.08]``."""
    dtype = _check("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The triangular window ``w_n = 1 - |2n / (M - 1) - 1|``."""
    dtype = _check("bartlett", M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    step = 2 / (M if not sym else M - 1)
    return 1 - _linspace(-1, -1 + (M - 1) * step, M, dtype, device, requires_grad).abs()


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window (:func:`general_cosine`)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
