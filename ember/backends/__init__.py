"""``ember.backends``: torch's backend switches, answered for ember's NumPy CPU backend.

``torch.backends.cudnn.benchmark = True`` and ``torch.backends.mps.is_available()`` are common in
scripts; they work here and change nothing (there is no cuDNN or MPS). ``cpu`` reports the vector
extensions NumPy's kernels use on this machine; ``mkl`` and ``opt_einsum`` say they are not used
(ember's BLAS and einsum are NumPy's).
"""
import types

from ember._backend import np


def _get_cpu_capability():
    """The widest vector instruction set NumPy dispatches to here, in torch's words
    (``"AVX512"``, ``"AVX2"``, ... or ``"DEFAULT"``)."""
    umath = getattr(getattr(np, "_core", None), "_multiarray_umath", None)
    features = getattr(umath, "__cpu_features__", {})
    for name, flag in (("AVX512", "AVX512F"), ("AVX2", "AVX2"), ("SVE", "SVE"),
                       ("NEON", "ASIMD")):
        if features.get(flag):
            return name
    return "DEFAULT"


class _MklVerbose:
    """``with torch.backends.mkl.verbose(level)``: oneMKL's on-demand log; ember does not use
    oneMKL, so only ``VERBOSE_OFF`` is accepted silently."""

    def __init__(self, enable):
        self.enable = enable

    def __enter__(self):
        if self.enable == 0:
            return None
        raise AssertionError("Failed to set MKL into verbose mode. Please consider to disable "
                             "this verbose scope.")

    def __exit__(self, *exc):
        return False


cpu = types.SimpleNamespace(get_cpu_capability=_get_cpu_capability)
mkl = types.SimpleNamespace(is_available=lambda: False, verbose=_MklVerbose, VERBOSE_OFF=0,
                            VERBOSE_ON=1)
opt_einsum = types.SimpleNamespace(is_available=lambda: False, get_opt_einsum=lambda: None,
                                   enabled=False, strategy=None)

cudnn = types.SimpleNamespace(enabled=False, benchmark=False, deterministic=False,
                              allow_tf32=False, is_available=lambda: False,
                              version=lambda: None)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
cuda = types.SimpleNamespace(is_built=lambda: False,
                             matmul=types.SimpleNamespace(allow_tf32=False))
mkldnn = types.SimpleNamespace(enabled=False, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: False)
