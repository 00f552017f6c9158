"""The one module that knows which array library backs a tensor.

Op code imports ``np`` from here rather than NumPy itself. Ufuncs and array methods dispatch on
their inputs (NumPy's ``__array_ufunc__`` / ``__array_function__`` protocols, which CuPy
implements), so the arrays decide, with no global switch; where an op must *create* an array of
the inputs' kind, ``array_module`` gives the owning module (NumPy today, CuPy later), like
Chainer's ``get_array_module``.
"""
import numpy

np = numpy
_ndarray = numpy.ndarray

# torch's ops are silent about inf/nan results (1 / 0 is inf, 0 / 0 is nan); NumPy warns by
# default. ember follows torch, so importing ember sets NumPy's floating-point error handling to
# 'ignore' (documented in the README).
numpy.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")


def array_module(*arrays):
    """Return the array module (``numpy`` or ``cupy``) that owns ``arrays``.

    Op code creates arrays through it (``array_module(a).zeros(...)``), so that a new array is of
    its inputs' kind; ``tests/test_guardrails.py`` counts the creations that do not.
    """
    for a in arrays:
        if type(a) is _ndarray:
            continue
        mod = type(a).__module__
        if mod.startswith("cupy"):
            import cupy

            return cupy
    return numpy


def device_of(array):
    """torch-style device string of an array: ``'cpu'`` for NumPy, ``'cuda:N'`` for CuPy."""
    dev = getattr(array, "device", None)
    if type(array).__module__.startswith("cupy"):
        return "cuda:%d" % dev.id
    return "cpu"


# --- host-only functions ------------------------------------------------------------------------
# NumPy functions that the array protocols do not dispatch (unbound ufunc methods taking the
# target array, stride tricks). Op code calls them by these names only, so another array library
# provides its own versions here. The other host-only kernels, SciPy's special functions, are in
# ember/ops/_special_math.py.

def add_at(target, indices, values):
    """``target[indices] += values`` unbuffered: repeated indices accumulate (``np.add.at``)."""
    numpy.add.at(target, indices, values)


def ufunc_at(ufunc, target, indices, values):
    """``ufunc.at(target, indices, values)``: ``np.maximum.at``, ``np.multiply.at``, ..."""
    ufunc.at(target, indices, values)


def as_strided(array, shape, strides):
    """A view of ``array``'s memory with the given shape and byte strides (NumPy's
    ``stride_tricks.as_strided``, which the array protocols do not dispatch)."""
    return numpy.lib.stride_tricks.as_strided(array, shape, strides)
