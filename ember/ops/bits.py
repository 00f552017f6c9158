"""Ops on the integer and floating-point representation of numbers: bit shifts, gcd/lcm,
ldexp/frexp, nextafter."""
import math

from ember import _dtype, return_types
from ember._backend import np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import (as_tensor_operand, binary_operands, cast, check_broadcast,
                             no_derivative, sum_to_shape)
from ember.ops.arithmetic import _out
from ember.ops.registry import FLOAT, OpInfo, SampleInput, T, register
from ember.ops.unary import exp2


def _integer_operands(name, input, other):
    a, b = binary_operands(input, other)
    if a._data.dtype.kind not in "iu":
        raise NotImplementedError('"%s_cpu" not implemented for \'%s\'' % (
            name, dtype_word(a._data.dtype)))
    check_broadcast(a._data, b._data)
    return a._data, b._data


def _shift(a, b, left):
    bits = a.dtype.itemsize * 8
    # C++'s shift by a negative count or by >= the width is undefined; torch gives 0 (or the
    # sign for an arithmetic right shift), which the clipped NumPy shift reproduces.
    out_of_range = (b < 0) | (b >= bits)
    count = np.where(out_of_range, 0, b).astype(a.dtype)
    if left:
        return np.where(out_of_range, 0, np.left_shift(a, count)).astype(a.dtype)
    fill = np.where(a < 0, -1, 0) if a.dtype.kind == "i" else 0
    return np.where(out_of_range, fill, np.right_shift(a, count)).astype(a.dtype)


def bitwise_left_shift(input, other, *, out=None):
    """``input << other`` elementwise (integer tensors)."""
    a, b = _integer_operands("lshift", input, other)
    return _out(_make(_shift(a, b, True)), out)


def bitwise_right_shift(input, other, *, out=None):
    """``input >> other`` elementwise (arithmetic shift for signed integers)."""
    a, b = _integer_operands("rshift", input, other)
    return _out(_make(_shift(a, b, False)), out)


def gcd(input, other, *, out=None):
    """The greatest common divisor of each pair (non-negative; gcd(0, 0) = 0)."""
    a, b = _integer_operands("gcd", input, other)
    return _out(_make(np.gcd(a, b)), out)


def lcm(input, other, *, out=None):
    """The least common multiple of each pair (non-negative; 0 when either is 0)."""
    a, b = _integer_operands("lcm", input, other)
    return _out(_make(np.lcm(a, b)), out)


class Ldexp(Node):
    """``a * 2 ** b``; each gradient is formed on the broadcast shape, then reduced (so an empty
    broadcast gives zeros whatever ``b`` holds, as torch's LdexpBackward)."""

    save = (0, 1)

    def forward(ctx, a, b):
        return a * np.exp2(b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        scaled = g * exp2(b)
        return (sum_to_shape(scaled, a._data.shape),
                sum_to_shape(scaled * a * _LN2, b._data.shape))


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``."""
    power_dtype = other.dtype if isinstance(other, Tensor) and other.is_floating_point() \
        else _dtype.get_default_dtype()
    dt = _dtype.promote_types(input.dtype, power_dtype)
    a, b = cast(input, dt), cast(as_tensor_operand(other, dt), dt)
    check_broadcast(a._data, b._data)
    return _out(Ldexp.apply((a, b)), out)


def frexp(input, *, out=None):
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent`` and ``|mantissa|`` in
    [0.5, 1); the exponent is int32."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    _, e = np.frexp(input._data)
    exponent = _make(e.astype(np.int32))
    mantissa = input / exp2(exponent.to(input.dtype))
    res = return_types.frexp(mantissa, exponent)
    if out is not None:
        _out(res[0], out[0])
        _out(res[1], out[1])
        return return_types.frexp(*out)
    return res


def nextafter(input, other, *, out=None):
    """The next floating-point value after ``input`` towards ``other``."""
    a, b = binary_operands(input, other)
    if not a.is_floating_point():
        raise NotImplementedError('"nextafter_cpu" not implemented for \'%s\''
                                  % dtype_word(a._data.dtype))
    check_broadcast(a._data, b._data)
    return _out(no_derivative("nextafter", np.nextafter(a._data, b._data), a, b), out)


_INTS = ("int64", "int32", "uint8")
_LN2 = math.log(2.0)


def _shift_samples(dtype):
    yield SampleInput(T(3, 4, low=0, high=20), T(3, 4, low=0, high=5, dtype=dtype))
    yield SampleInput(T(3, 4, low=-20, high=20), 2, name="scalar count")
    yield SampleInput(T(4, values=[1, 2, 3, 4]), T(4, values=[0, 3, 9, 70], dtype=dtype),
                      name="counts past the width")


def _gcd_samples(dtype):
    yield SampleInput(T(3, 4, low=0, high=30), T(3, 4, low=0, high=30))
    yield SampleInput(T(4, values=[12, 0, 7, 9]), T(4, values=[8, 0, 0, 6], dtype=dtype))
    yield SampleInput(T(2, 3, low=1, high=12), T(3, low=1, high=12), name="broadcast")


def _ldexp_samples(dtype):
    # (torch computes the gradient 2 ** other in the integer dtype: 0 for negative exponents)
    yield SampleInput(T(3, 4), T(3, 4, low=0, high=3, dtype="int64", grad=False))
    yield SampleInput(T(3, 4), T(4, low=-2, high=2), name="float exponent")


for _name, _fn in (("bitwise_left_shift", bitwise_left_shift),
                   ("bitwise_right_shift", bitwise_right_shift), ("gcd", gcd), ("lcm", lcm)):
    register(OpInfo(_name, _fn, _shift_samples if "shift" in _name else _gcd_samples,
                    method=True, inplace=_name + "_", dtypes=_INTS, grad=False))
register(OpInfo("ldexp", ldexp, _ldexp_samples, method=True, inplace="ldexp_", dtypes=FLOAT))
register(OpInfo("frexp", frexp, lambda dt: iter([
    SampleInput(T(3, 4, low=-9, high=9)),
    SampleInput(T(5, values=[8.0, 0.3, -0.0, float("inf"), 1e-3]), name="edge: zero, inf")]),
    method=True, dtypes=FLOAT, gradgrad=True))
register(OpInfo("nextafter", nextafter, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4)), SampleInput(T(4, values=[1.0, 2.0, 0.0, -1.0]),
                                               T(4, values=[2.0, 1.0, 0.0, -2.0]))]),
    method=True, inplace="nextafter_", dtypes=FLOAT, grad=False))
