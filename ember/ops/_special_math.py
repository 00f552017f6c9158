"""Host kernels of the special functions, on NumPy arrays.

SciPy's when it is installed; erf and erfc fall back to the standard library's ``math`` element
by element. These are host-only (a CuPy array would need ``cupyx.scipy.special``).
"""
import importlib.util
import math

from ember._backend import np

HAVE_SCIPY = importlib.util.find_spec("scipy") is not None


def _scipy(name):
    """``scipy.special.<name>``, imported on first use (SciPy is optional)."""
    import scipy.special

    return getattr(scipy.special, name)


def _each(fn, a):
    flat = a.reshape(-1)
    out = np.fromiter((fn(v) for v in flat.tolist()), dtype=a.dtype, count=flat.size)
    return out.reshape(a.shape)


def erf(a):
    if HAVE_SCIPY:
        return _scipy("erf")(a).astype(a.dtype, copy=False)
    return _each(math.erf, a)


def erfc(a):
    if HAVE_SCIPY:
        return _scipy("erfc")(a).astype(a.dtype, copy=False)
    return _each(math.erfc, a)


def erfinv(a):
    return _scipy("erfinv")(a).astype(a.dtype, copy=False)


def gammaln(a):
    return _scipy("gammaln")(a).astype(a.dtype, copy=False)


def polygamma(n, a):
    """The ``n``-th derivative of digamma; ``n = 0`` is digamma, -inf at 0 as torch's."""
    if n == 0:
        # SciPy gives NaN at 0; torch gives -inf there (the left and right limits differ).
        res = np.where(a == 0, -np.inf, _scipy("psi")(a))
    else:
        res = _scipy("polygamma")(n, a)
    return np.asarray(res).astype(a.dtype, copy=False)
