"""Comparisons, logical and bitwise ops, floating-point class tests (isnan, isinf, ...), and the
elementwise maximum/minimum/fmax/fmin and isin (torch's "comparison ops").

Comparisons, logical and bitwise ops and the class tests are not differentiable: their results
are bool or integer tensors. Operands are promoted as torch promotes them before comparing;
shapes broadcast.
"""
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.ops._util import binary_operands, check_broadcast, check_dtype, refuse_complex
from ember.ops.arithmetic import (_binary_samples, _broadcast_errors, _out,
                                  _require_tensors, _unary_samples)
from ember.ops.binary import table_op, tensor_operands
from ember.ops.registry import (ALL, INT_FLOAT, OpInfo, SampleInput, T, dtype_errors,
                                not_differentiable, register)


def _tensor_binary_samples(dtype):
    """Binary samples without Python-scalar operands (for ops torch requires tensors for)."""
    for s in _binary_samples(dtype):
        if all(not isinstance(a, (int, float)) for a in s.args):
            yield s


def _compare(np_fn, name):
    # eq/ne compare complex numbers; the ordering comparisons have no complex kernel in torch
    ordering = None if name in ("eq", "ne") else '"%s_cpu" not implemented for \'%%s\'' % name

    def op(input, other, *, out=None):
        a, b = binary_operands(input, other)
        if ordering is not None:
            refuse_complex(ordering, a)
        check_broadcast(a._data, b._data)
        return _out(_make(np_fn(a._data, b._data)), out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = "Elementwise ``%s`` comparison with broadcasting; returns a bool tensor." % name
    return op


eq = _compare(np.equal, "eq")
ne = not_equal = _compare(np.not_equal, "ne")
lt = less = _compare(np.less, "lt")
le = less_equal = _compare(np.less_equal, "le")
gt = greater = _compare(np.greater, "gt")
ge = greater_equal = _compare(np.greater_equal, "ge")


def _logical(np_fn, name):
    def op(input, other, *, out=None):
        _require_tensors(name, input, other)
        a, b = input, other
        check_broadcast(a._data, b._data)
        return _out(_make(np_fn(a._data, b._data)), out)

    op.__name__ = op.__qualname__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None):
    return _out(_make(np.logical_not(input._data)), out)


def _bitwise(np_fn, name):
    def op(input, other, *, out=None):
        a, b = binary_operands(input, other)
        if a._data.dtype.kind == "f":
            from ember._tensor_str import dtype_word

            raise NotImplementedError('"%s_cpu" not implemented for \'%s\'' % (
                name, dtype_word(a._data.dtype)))
        check_broadcast(a._data, b._data)
        return _out(_make(np_fn(a._data, b._data)), out)

    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input, *, out=None):
    check_dtype("bitwise_not_cpu", input, kinds="iub")
    return _out(_make(np.invert(input._data)), out)


def _invert(input):
    """``~input``: torch's operator refuses floating tensors with a TypeError (the function
    ``bitwise_not`` with a NotImplementedError)."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


def isnan(input):
    return _make(np.isnan(input._data))


def isinf(input):
    return _make(np.isinf(input._data))


def isposinf(input):
    refuse_complex("isposinf does not support complex inputs.", input, error=RuntimeError)
    return _make(np.isposinf(input._data))


def isneginf(input):
    refuse_complex("isneginf does not support complex inputs.", input, error=RuntimeError)
    return _make(np.isneginf(input._data))


def isfinite(input):
    return _make(np.isfinite(input._data))


def isreal(input):
    """True where the imaginary part is zero (everywhere for real tensors)."""
    if input._data.dtype.kind == "c":
        return _make(input._data.imag == 0)
    return _make(array_module(input._data).ones(input._data.shape, dtype=bool))


def signbit(input):
    refuse_complex("signbit is not implemented for complex tensors.", input)
    return _make(np.signbit(input._data))


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _make(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


# --- registration ---------------------------------------------------------------------------

for _name, _fn, _dunder in (("eq", eq, "__eq__"), ("ne", ne, "__ne__"), ("lt", lt, "__lt__"),
                            ("le", le, "__le__"), ("gt", gt, "__gt__"), ("ge", ge, "__ge__")):
    register(OpInfo(_name, _fn, _binary_samples, _broadcast_errors, method=True,
                    inplace=_name + "_", operators=(_dunder,), dtypes=ALL, grad=False))
for _name, _fn in (("not_equal", not_equal), ("less", less), ("less_equal", less_equal),
                   ("greater", greater), ("greater_equal", greater_equal)):
    register(OpInfo(_name, _fn, _binary_samples, method=True, dtypes=("float32",), grad=False))
for _name, _fn in (("logical_and", logical_and), ("logical_or", logical_or),
                   ("logical_xor", logical_xor)):
    register(OpInfo(_name, _fn, _tensor_binary_samples, method=True, inplace=_name + "_",
                    dtypes=ALL, grad=False))
register(OpInfo("logical_not", logical_not, _unary_samples(), method=True,
                inplace="logical_not_", dtypes=ALL, grad=False))

_INTS = ("int64", "int32", "uint8", "bool")
for _name, _fn, _ops in (("bitwise_and", bitwise_and, ("__and__", "__rand__", "__iand__")),
                         ("bitwise_or", bitwise_or, ("__or__", "__ror__", "__ior__")),
                         ("bitwise_xor", bitwise_xor, ("__xor__", "__rxor__", "__ixor__"))):
    register(OpInfo(_name, _fn, _binary_samples, method=True, inplace=_name + "_",
                    operators=_ops, dtypes=_INTS, grad=False))
register(OpInfo("bitwise_not", bitwise_not, _unary_samples(),
                dtype_errors("bitwise_not_cpu", ("float32", "float16")), method=True,
                inplace="bitwise_not_", operators=("__invert__",), dtypes=_INTS, grad=False))


def _special_samples(dtype):
    yield SampleInput(T(values=[1.0, float("nan"), float("inf"), -float("inf"), -0.0, 2.0]))


for _name, _fn in (("isnan", isnan), ("isinf", isinf), ("isfinite", isfinite),
                   ("isposinf", isposinf), ("isneginf", isneginf), ("signbit", signbit),
                   ("isreal", isreal)):
    register(OpInfo(_name, _fn, _special_samples, method=True, grad=False))


def _tie(g, a, b):
    # Ties split the gradient; a NaN on either side passes it to both, as torch.
    return where(a == b, g * 0.5, g)


def _real_tensor_operands(name, input, other):
    a, b = tensor_operands(name, input, other)
    refuse_complex("%s not implemented for complex tensors." % name, a, error=RuntimeError)
    return a, b


# Lines of the binary table (``binary.py``): name, kernel, keeps, d/da, d/db, operands
maximum = table_op("maximum", np.maximum, "ab",
                   lambda g, a, b, y: where(a < b, 0.0, _tie(g, a, b)),
                   lambda g, a, b, y: where(a > b, 0.0, _tie(g, a, b)),
                   _real_tensor_operands, onnx="Max")
minimum = table_op("minimum", np.minimum, "ab",
                   lambda g, a, b, y: where(a > b, 0.0, _tie(g, a, b)),
                   lambda g, a, b, y: where(a < b, 0.0, _tie(g, a, b)),
                   _real_tensor_operands, onnx="Min")
maximum.__doc__ = "Elementwise maximum of two tensors (NaN if either is NaN)."
minimum.__doc__ = "Elementwise minimum of two tensors (NaN if either is NaN)."


def _maxmin_samples(dtype):
    yield from _tensor_binary_samples(dtype)
    nan = float("nan")
    yield SampleInput(T(5, values=[nan, 1.0, nan, 2.0, 0.5]),
                      T(5, values=[0.0, nan, nan, 2.0, 1.5]), name="edge: NaN and ties")


register(OpInfo("maximum", maximum, _maxmin_samples, method=True, dtypes=INT_FLOAT))
register(OpInfo("minimum", minimum, _maxmin_samples, method=True, dtypes=INT_FLOAT))


def fmax(input, other, *, out=None):
    a, b = _real_tensor_operands("fmax", input, other)
    return where(isnan(b) | (a >= b), a, b)


register(OpInfo("fmax", fmax, _tensor_binary_samples, method=True, dtypes=INT_FLOAT))


def fmin(input, other, *, out=None):
    a, b = _real_tensor_operands("fmin", input, other)
    return where(isnan(b) | (a <= b), a, b)


register(OpInfo("fmin", fmin, _tensor_binary_samples, method=True, dtypes=INT_FLOAT))



# ---- not differentiable --------------------------------------------------------------------
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` is in ``test_elements``."""
    # a Python number or list given for either side is made where the tensor side lives
    xp = array_module(*(t._data for t in (elements, test_elements) if isinstance(t, Tensor)))
    a = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return _make(np.isin(a, b, invert=invert))


not_differentiable("isin", "tests/ops/test_not_differentiable.py")

from ember.ops.indexing import where  # noqa: E402
