"""The Bessel functions of ``torch.special`` (J_0, J_1, Y_0, Y_1, I_0, I_1, K_0, K_1, the scaled
K's, the spherical j_0) and the Airy function Ai. As in torch they carry no gradient; their
host kernels are in ``_special_math.py``.
"""
import math

from ember._backend import np
from ember._tensor import _make
from ember.ops import _special_math
from ember.ops._util import to_float
from ember.ops.arithmetic import _out
from ember.ops.registry import INT_FLOAT, OpInfo, SampleInput, T, register

_EDGES = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e-300, -1e-300, 1e300, -1e300, 1.0, -1.0,
          30.0, -30.0, 700.0, -700.0]


def no_half(x, kernel_name):
    """torch's error for float16 inputs of the special functions without a Half kernel."""
    if x._data.dtype == np.float16:
        raise NotImplementedError("\"%s_cpu\" not implemented for 'Half'" % kernel_name)


def _function(name, kernel):
    def fn(input, *, out=None):
        no_half(input, name)
        x = to_float(input)
        return _out(_make(kernel(x._data)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = kernel.__doc__
    return fn


def _samples(low, high):
    def samples(dtype):
        yield SampleInput(T(3, 4, low=low, high=high))
        yield SampleInput(T(low=low, high=high))
        yield SampleInput(T(5, 4, low=low, high=high, noncontig=True))
        yield SampleInput(T(0, 3))
        yield SampleInput(T(values=[0.5, 2.0, 7.5, 24.0, 26.0, 60.0, 300.0]), name="sizes")
        if dtype.startswith("float"):  # as integers they are huge arguments torch reduces
            yield SampleInput(T(values=_EDGES), name="edge: values")  # in float32 arithmetic

    return samples


# torch's own float64 J_n, Y_n and Ai are accurate to about 1e-6 in parts of their range, so the
# records
# compare them with torch in float32 only; tests/ops/test_special_functions.py checks ember's
# float64 kernels against mpmath (to 1e-15; 1e-12 for Ai far out) and torch (to its 1e-6).
_NOT_FLOAT64 = ("float32", "int64", "int32")
# name, kernel, sample range, float32 atol, dtypes
_FUNCTIONS = [
    ("bessel_j0", _special_math.bessel_j0, -30.0, 30.0, 2e-6, _NOT_FLOAT64),
    ("bessel_j1", _special_math.bessel_j1, -30.0, 30.0, 2e-6, _NOT_FLOAT64),
    ("bessel_y0", _special_math.bessel_y0, 0.1, 30.0, 2e-6, _NOT_FLOAT64),
    ("bessel_y1", _special_math.bessel_y1, 0.1, 30.0, 2e-6, _NOT_FLOAT64),
    ("airy_ai", _special_math.airy_ai, -10.0, 5.0, 1e-5, _NOT_FLOAT64),
    ("modified_bessel_i0", _special_math.i0, -5.0, 5.0, 1e-5, INT_FLOAT),
    ("modified_bessel_i1", _special_math.i1, -5.0, 5.0, 1e-5, INT_FLOAT),
    ("modified_bessel_k0", _special_math.modified_bessel_k0, 0.05, 5.0, 1e-5, INT_FLOAT),
    ("modified_bessel_k1", _special_math.modified_bessel_k1, 0.05, 5.0, 1e-5, INT_FLOAT),
    ("scaled_modified_bessel_k0", _special_math.scaled_modified_bessel_k0, 0.05, 5.0, 1e-5,
     INT_FLOAT),
    ("scaled_modified_bessel_k1", _special_math.scaled_modified_bessel_k1, 0.05, 5.0, 1e-5,
     INT_FLOAT),
    ("spherical_bessel_j0", _special_math.spherical_bessel_j0, -10.0, 10.0, 1e-5, INT_FLOAT),
]

for _name, _kernel, _low, _high, _atol, _dtypes in _FUNCTIONS:
    globals()[_name] = _function(_name, _kernel)
    register(OpInfo("special." + _name, globals()[_name], _samples(_low, _high), grad=False,
                    dtypes=_dtypes, atol=_atol, rtol=1e-5))
del _name, _kernel, _low, _high, _atol, _dtypes
