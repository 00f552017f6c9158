"""The one module that knows which array library backs a tensor.

Op code imports ``np`` from here rather than NumPy itself. Ufuncs and array methods dispatch on
their inputs (NumPy's ``__array_ufunc__`` / ``__array_function__`` protocols, which CuPy
implements), so the arrays decide, with no global switch; where an op must *create* an array of
the inputs' kind, ``array_module`` gives the owning module (NumPy today, CuPy later), like
Chainer's ``get_array_module``.
"""
import numpy

np = numpy

# torch's ops are silent about inf/nan results (1 / 0 is inf, 0 / 0 is nan); NumPy warns by
# default. ember follows torch, so importing ember sets NumPy's floating-point error handling to
# 'ignore' (documented in the README).
numpy.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")


def array_module(*arrays):
    """Return the array module (``numpy`` or ``cupy``) that owns ``arrays``."""
    for a in arrays:
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


def _openblas():
    """The OpenBLAS library NumPy loaded, through ctypes (None if NumPy uses another BLAS)."""
    global _blas
    if _blas is None:
        import ctypes
        import glob
        import os

        _blas = False
        libdir = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs")
        for path in glob.glob(os.path.join(libdir, "*openblas*")):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix in ("scipy_openblas", "openblas"):
                setter = getattr(lib, prefix + "_set_num_threads64_", None) or getattr(
                    lib, prefix + "_set_num_threads", None)
                getter = getattr(lib, prefix + "_get_num_threads64_", None) or getattr(
                    lib, prefix + "_get_num_threads", None)
                if setter is not None and getter is not None:
                    _blas = (setter, getter)
                    break
    return _blas or None


_blas = None


def set_num_threads(n):
    """Set the number of threads NumPy's BLAS uses, like ``torch.set_num_threads``."""
    if int(n) < 1:
        raise RuntimeError("set_num_threads expects a positive integer, got %r" % (n,))
    blas = _openblas()
    if blas is not None:
        blas[0](int(n))


def get_num_threads():
    """Number of threads NumPy's BLAS uses, like ``torch.get_num_threads``."""
    blas = _openblas()
    if blas is not None:
        return int(blas[1]())
    import os

    return os.cpu_count() or 1
