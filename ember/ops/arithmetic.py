"""Arithmetic: add, sub, mul, div, floor_divide, remainder, fmod, pow, float_power, neg, clamp
and the dtype cast. Two-input math (atan2, hypot, copysign, logaddexp) is in ``binary.py``,
maximum/minimum/fmax/fmin in ``comparison.py``, lerp/addcmul/addcdiv in ``pointwise.py``.

Broadcasting ops reduce their gradients back to each input's shape with ``sum_to_shape``.
"""
import warnings

from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node, tag
from ember.autograd.grad_mode import no_grad
from ember.ops._util import (
    as_tensor_operand,
    binary_operands,
    cast,
    check_broadcast,
    conj,
    check_dtype,
    no_derivative,
    refuse_complex,
    sum_to_shape,
    to_float,
)
from ember.ops.inplace import register_ufunc
from ember.ops.registry import (ALL, COMPLEX, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T,
                                dtype_errors, register)


class ToCopy(Node):
    def forward(ctx, a, dtype):
        ctx.src_dtype = _dtype.from_numpy_dtype(a.dtype)
        return _astype(a, dtype)

    def backward(ctx, g):
        if g._data.dtype.kind == "c" and not ctx.src_dtype.is_complex:
            return ToCopy.apply((g,), ctx.src_dtype)  # the real part, without the warning
        return cast(g, ctx.src_dtype)

    @staticmethod
    def onnx(call):
        return call.g.cast(call.inputs[0], call.outs[0].dtype)


def _astype(arr, dtype):
    """``arr`` as ``dtype``; complex to real keeps the real part."""
    if arr.dtype.kind == "c" and not dtype.is_complex:
        arr = arr.real
    return arr.astype(dtype.np)


def _cast(t, dtype):
    if t._data.dtype.kind == "c" and not dtype.is_complex:
        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning,
                      stacklevel=3)
    if (dtype.is_floating_point or dtype.is_complex) and t._data.dtype.kind in "fcV":  # V: bf16
        return ToCopy.apply((t,), dtype)
    # Casting to or from integers is not differentiable.
    return _make(_astype(t._data, dtype))


class Add(Node):
    """``a + alpha * b`` (``Sub``: ``a - alpha * b``, the same Node with the other sign)."""

    # Input shapes are kept only when they differ (broadcasting); equal shapes need no
    # reduction, and skipping the bookkeeping keeps the common case cheap.
    shapes = None
    alpha = 1
    kernel, sign, onnx_op = np.add, 1, "Add"

    def forward(ctx, a, b, alpha=1):
        if a.shape != b.shape:
            ctx.shapes = (a.shape, b.shape)
        if alpha == 1:
            return ctx.kernel(a, b)
        ctx.alpha = alpha
        return ctx.kernel(a, b * alpha)

    def backward(ctx, g):
        if ctx.alpha == 1:
            gb = g if ctx.sign == 1 else -g
        else:
            gb = g * (ctx.sign * ctx.alpha)
        if ctx.shapes is None:
            return g, gb
        sa, sb = ctx.shapes
        return sum_to_shape(g, sa), sum_to_shape(gb, sb)

    @classmethod
    def onnx(cls, call):
        a, b = call.operands()
        alpha = call.params[0] if call.params else 1
        return call.g.op(cls.onnx_op, a,
                         b if alpha == 1 else call.g.op("Mul", b, call.scalar(alpha)))


class AddScalar(Node):
    """``a + s`` for a Python number ``s`` (torch's Scalar overload: no tensor made for ``s``)."""

    def forward(ctx, a, s):
        return a + s

    def backward(ctx, g):
        return g

    def name(self):
        return "AddBackward0"

    @staticmethod
    def onnx(call):
        return call.g.op("Add", *call.operands(), call.scalar(call.params[0]))


def _is_number(x):
    cls = x.__class__
    return cls is float or cls is int


def _fast_scalar(t, s):
    """True when ``t op s`` keeps ``t``'s dtype, so the scalar can go to NumPy as it is.

    NumPy treats Python scalars as weakly typed (NEP 50), like torch's wrapped numbers, for
    floating tensors and for int64 tensors with int scalars.
    """
    if not isinstance(t, Tensor) or not _is_number(s):
        return False
    kind = t._data.dtype.kind
    return kind == "f" or (kind == "i" and s.__class__ is int and t._data.dtype.itemsize == 8
                           and -2 ** 62 < s < 2 ** 62)


def _binary_apply(node, a, b, *params):
    try:
        return node.apply((a, b), *params)
    except ValueError:
        if a._data.shape != b._data.shape:
            check_broadcast(a._data, b._data)
        raise


def _check_alpha(a, alpha):
    if alpha != 1 and a._data.dtype.kind in "iub" and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and torch's type promotion."""
    if out is None and alpha == 1:
        if isinstance(other, Tensor) and isinstance(input, Tensor):
            if input._data.dtype is other._data.dtype and input._data.dtype.kind != "b":
                return _binary_apply(Add, input, other)
        elif _fast_scalar(input, other):
            return AddScalar.apply((input,), other)
    a, b = binary_operands(input, other)
    _check_alpha(a, alpha)
    if a._data.dtype.kind == "b" and alpha == 1:
        return _out(_make(np.logical_or(a._data, b._data)), out)
    return _out(_binary_apply(Add, a, b, alpha), out)


def _out(result, out):
    """Support torch's ``out=`` argument: copy into ``out`` (resizing it like torch)."""
    if out is None:
        return result
    if out._requires_grad and _grad_enabled():
        raise RuntimeError("%s(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad."
                           % "op")
    if out._data.shape != result._data.shape:
        out._data = array_module(result._data).empty(result._data.shape,
                                                     dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()
    return out


def _grad_enabled():
    from ember.autograd.grad_mode import _State

    return _State.enabled


def _binary_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4), name="same")
    yield SampleInput(T(3, 4), T(4), name="broadcast")
    yield SampleInput(T(2, 1, 4), T(3, 1), name="broadcast both")
    yield SampleInput(T(), T(), name="0-d")
    yield SampleInput(T(3, 4, noncontig=True), T(3, 4), name="noncontig")
    yield SampleInput(T(0, 4), T(4), name="empty")
    yield SampleInput(T(3, 4), 2.5, name="scalar")
    yield SampleInput(T(3, 4), T(), name="0-d other")


def _broadcast_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(4)), RuntimeError, r"size of tensor a \(3\) must "
                     r"match the size of tensor b \(4\) at non-singleton dimension 1")


register_ufunc(add, np.add)


register(OpInfo("add", add, _binary_samples, _broadcast_errors, method=True, inplace="add_",
                operators=("__add__", "__radd__", "__iadd__"), dtypes=ALL + COMPLEX))


class Sub(Add):
    kernel, sign, onnx_op = np.subtract, -1, "Sub"


class SubScalar(Node):
    """``a - s`` (``reverse``: ``s - a``)."""

    def forward(ctx, a, s, reverse):
        ctx.reverse = reverse
        return s - a if reverse else a - s

    def backward(ctx, g):
        return -g if ctx.reverse else g

    def name(self):
        return "RsubBackward1" if self.reverse else "SubBackward0"

    @staticmethod
    def onnx(call):
        (x,), (s, reverse) = call.operands(), call.params
        return call.g.op("Sub", *((call.scalar(s), x) if reverse else (x, call.scalar(s))))


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``; bool tensors are refused, as in torch."""
    if out is None and alpha == 1:
        if isinstance(other, Tensor) and isinstance(input, Tensor):
            if input._data.dtype is other._data.dtype and input._data.dtype.kind != "b":
                return _binary_apply(Sub, input, other)
        elif _fast_scalar(input, other):
            return SubScalar.apply((input,), other, False)
        elif _fast_scalar(other, input):
            return SubScalar.apply((other,), input, True)
    a_bool = _is_bool(input)
    b_bool = _is_bool(other)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    a, b = binary_operands(input, other)
    _check_alpha(a, alpha)
    return _out(_binary_apply(Sub, a, b, alpha), out)


def _is_bool(x):
    if isinstance(x, Tensor):
        return x._data.dtype.kind == "b"
    return isinstance(x, (bool, np.bool_))


register_ufunc(sub, np.subtract)


register(OpInfo("sub", sub, _binary_samples, _broadcast_errors, method=True, inplace="sub_",
                operators=("__sub__", "__rsub__", "__isub__"), dtypes=INT_FLOAT + COMPLEX))


class Mul(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to_shape(g * conj(b), a._data.shape) if need[0] else None,
                sum_to_shape(g * conj(a), b._data.shape) if need[1] else None)

    @staticmethod
    def onnx(call):
        return call.g.op("Mul", *call.operands())


class MulScalar(Node):
    def forward(ctx, a, s):
        ctx.s = s
        return a * s

    def backward(ctx, g):
        return g * ctx.s

    def name(self):
        return "MulBackward0"

    @staticmethod
    def onnx(call):
        return call.g.op("Mul", *call.operands(), call.scalar(call.params[0]))


def mul(input, other, *, out=None):
    if out is None:
        if isinstance(other, Tensor) and isinstance(input, Tensor):
            if input._data.dtype is other._data.dtype and input._data.dtype.kind != "b":
                return _binary_apply(Mul, input, other)
        elif _fast_scalar(input, other):
            return MulScalar.apply((input,), other)
        elif _fast_scalar(other, input):
            return MulScalar.apply((other,), input)
    a, b = binary_operands(input, other)
    if a._data.dtype.kind == "b":
        return _out(_make(np.logical_and(a._data, b._data)), out)
    return _out(_binary_apply(Mul, a, b), out)


register_ufunc(mul, np.multiply)


register(OpInfo("mul", mul, _binary_samples, _broadcast_errors, method=True, inplace="mul_",
                operators=("__mul__", "__rmul__", "__imul__"), dtypes=ALL + COMPLEX))


class Div(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        return a / b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to_shape(g / conj(b), a._data.shape) if need[0] else None,
                sum_to_shape(-g * conj(a / (b * b)), b._data.shape) if need[1] else None)

    @staticmethod
    def onnx(call):
        return call.g.op("Div", *call.operands())


class DivScalar(Node):
    """``a / s`` (``reverse``: ``s / a``, whose backward needs the output)."""

    save_output = True

    def forward(ctx, a, s, reverse):
        ctx.s, ctx.reverse = s, reverse
        return s / a if reverse else a / s

    def backward(ctx, g):
        if ctx.reverse:
            (out,) = ctx.saved_tensors
            return -g * conj(out * out) / ctx.s if ctx.s != 0 else g * 0
        return g / ctx.s

    def name(self):
        # torch computes ``s / t`` as ``t.reciprocal() * s``
        return "MulBackward0" if self.reverse else "DivBackward0"

    @staticmethod
    def onnx(call):
        (x,), (s, reverse) = call.operands(), call.params
        return call.g.op("Div", *((call.scalar(s), x) if reverse else (x, call.scalar(s))))


class RoundedDiv(Node):
    """``div`` with ``rounding_mode``: piecewise constant, so its gradient is zero (as torch)."""

    def forward(ctx, a, b, mode):
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iub":
            if a.size:
                _check_int_divisor(b)
            if mode == "floor":
                return np.floor_divide(a, b)
            q = np.floor_divide(a, b)
            fix = (q < 0) & (np.remainder(a, b) != 0)
            return q + fix.astype(q.dtype)
        q = a / b
        return np.floor(q) if mode == "floor" else np.trunc(q)

    def backward(ctx, g):
        sa, sb = ctx.shapes
        return sum_to_shape(g * 0, sa), sum_to_shape(g * 0, sb)

    @staticmethod
    def onnx(call):
        if call.outs[0].dtype.kind != "f":
            call.fail("integer division with rounding_mode=%r" % call.params[0])
        q = call.g.op("Div", *call.operands())
        return call.g.op("Floor", q) if call.params[0] == "floor" else call.g.trunc(q)


def _check_int_divisor(b):
    if b.size and (array_module(b).asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")


def div(input, other, *, rounding_mode=None, out=None):
    """True division (ints give the default float dtype) or ``rounding_mode`` 'trunc'/'floor'."""
    if rounding_mode is None and out is None:
        if isinstance(other, Tensor) and isinstance(input, Tensor):
            if input._data.dtype is other._data.dtype and input._data.dtype.kind == "f":
                return _binary_apply(Div, input, other)
        elif _fast_scalar(input, other) and input._data.dtype.kind == "f":
            return DivScalar.apply((input,), other, False)
        elif _fast_scalar(other, input) and other._data.dtype.kind == "f":
            return DivScalar.apply((other,), input, True)
    a, b = binary_operands(input, other)
    if rounding_mode is None:
        return _out(_binary_apply(Div, to_float(a), to_float(b)), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         "found '%s'" % rounding_mode)
    if a._data.dtype.kind == "b":
        raise NotImplementedError('"div_%s_cpu" not implemented for \'Bool\'' % rounding_mode)
    refuse_complex('"div_%s_cpu" not implemented for \'%%s\'' % rounding_mode, a)
    return _out(_binary_apply(RoundedDiv, a, b, rounding_mode), out)


def _nonzero_binary_samples(dtype):
    for s in _binary_samples(dtype):
        args = tuple(T(*a.shape, low=1.0, high=3, noncontig=a.noncontig) if isinstance(a, T)
                     else a for a in s.args)
        yield SampleInput(*args, name=s.name)


register_ufunc(div, np.true_divide)


register(OpInfo("div", div, _nonzero_binary_samples, _broadcast_errors, method=True,
                inplace="div_", operators=("__truediv__", "__rtruediv__", "__itruediv__"),
                dtypes=INT_FLOAT + COMPLEX))


class _DivisionRemainder(Node):
    """``a - q * b`` for the quotient ``q`` rounded by ``rounding`` (``kernel`` computes it):
    d/da = 1, d/db = -q."""
    save = (0, 1)
    kernel = rounding = None

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iu" and a.size:
            _check_int_divisor(b)
        return ctx.kernel(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        gb = -g * div(a, b, rounding_mode=ctx.rounding) if ctx.needs_input_grad[1] else None
        return sum_to_shape(g, sa), None if gb is None else sum_to_shape(gb, sb)


class Remainder(_DivisionRemainder):
    kernel, rounding = np.remainder, "floor"

    @staticmethod
    def onnx(call):
        g, (a, b) = call.g, call.operands()
        if call.outs[0].dtype.kind != "f":
            return g.op("Mod", a, b, fmod=0)
        # Python's remainder (the divisor's sign): a - floor(a / b) * b
        return g.op("Sub", a, g.op("Mul", g.op("Floor", g.op("Div", a, b)), b))


def remainder(input, other, *, out=None):
    a, b = binary_operands(input, other)
    check_dtype("remainder_cpu", a, kinds="fiu")
    return _out(_binary_apply(Remainder, a, b), out)


register(OpInfo("remainder", remainder, _nonzero_binary_samples,
                dtype_errors("remainder_cpu", ("bool",), lambda dt: SampleInput(T(3, dtype=dt),
                                                                             T(3, dtype=dt))),
                method=True,
                inplace="remainder_", operators=("__mod__", "__rmod__"), dtypes=INT_FLOAT,
                gradgrad=False))


class Fmod(_DivisionRemainder):
    kernel, rounding = np.fmod, "trunc"

    @staticmethod
    def onnx(call):
        return call.g.op("Mod", *call.operands(), fmod=1)


def fmod(input, other, *, out=None):
    a, b = binary_operands(input, other)
    check_dtype("fmod_cpu", a, kinds="fiu")
    return _out(_binary_apply(Fmod, a, b), out)


register(OpInfo("fmod", fmod, _nonzero_binary_samples,
                dtype_errors("fmod_cpu", ("bool",), lambda dt: SampleInput(T(3, dtype=dt),
                                                                       T(3, dtype=dt))),
                method=True, inplace="fmod_",
                dtypes=INT_FLOAT, gradgrad=False))


class Pow(Node):
    save = (0, 1)
    save_output = True

    def name(self):
        return "PowBackward%d" % self.__dict__.get("variant", 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iu":
            neg = array_module(a, b).asarray(b) < 0
            if neg.any():
                # torch's integer a ** -k: 1 for a == 1, +-1 for a == -1, else 0
                out = np.power(a, np.where(neg, 0, b).astype(b.dtype))
                minus_one = np.where(b % 2 == 0, 1, -1)
                inverse = np.where(a == 1, 1, np.where(a == -1, minus_one, 0))
                return np.where(neg, inverse, out).astype(out.dtype)
        return np.power(a, b)

    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            # d/da a**b = b * a**(b-1), taken as 0 where b == 0 (torch's convention).
            ga = where(b == 0, 0.0, g * conj(b * pow(a, b - 1)))
            ga = sum_to_shape(ga, sa)
        if need[1]:
            gb = where((a == 0) & (b.real >= 0), 0.0, g * conj(out * log(a)))
            gb = sum_to_shape(gb, sb)
        return ga, gb

    @staticmethod
    def onnx(call):
        return call.g.op("Pow", call.operands()[0], call.inputs[1])


def pow(input, exponent, *, out=None):
    if _is_bool(input) and _is_bool(exponent):
        if isinstance(exponent, Tensor):
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        # x ** False is True and x ** True is x: bool stays bool, as in torch.
        return _out(input.clone() if exponent else ones_like_bool(input), out)
    a, b = binary_operands(input, exponent)
    if isinstance(exponent, int) and exponent < 0 and a._data.dtype.kind in "iu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    res = _binary_apply(Pow, a, b)
    # torch's overloads: Tensor ** Scalar, Tensor ** Tensor, Scalar ** Tensor
    variant = 1 if isinstance(input, Tensor) and isinstance(exponent, Tensor) else \
        0 if isinstance(input, Tensor) else 2
    tag(res, variant=variant)
    return _out(res, out)


def _positive_binary_samples(dtype):
    yield SampleInput(T(3, 4, low=0.5, high=2), T(3, 4, low=0.5, high=2))
    yield SampleInput(T(3, 4, low=0.5, high=2), T(4, low=0.5, high=2))
    yield SampleInput(T(low=0.5, high=2), T(low=0.5, high=2))
    yield SampleInput(T(3, 4, low=0.5, high=2, noncontig=True), 1.5)


def _pow_samples(dtype):
    yield from _positive_binary_samples(dtype)
    if dtype == "int64":
        yield SampleInput(T(6, values=[0, 1, -1, 2, -2, 3]), T(6, values=[-1, -1, -3, -2, 2, 0]),
                          name="edge: negative integer exponents")
        yield SampleInput(T(2, values=[2, 3]), -1, name="edge: tensor ** negative int raises")
        yield SampleInput(2, T(2, values=[-1, 2]), name="edge: scalar ** negative int tensor")


register(OpInfo("pow", pow, _pow_samples, method=True, inplace="pow_",
                operators=("__pow__", "__rpow__", "__ipow__"),
                dtypes=("float32", "float64", "int64") + COMPLEX))


def _require_tensors(name, *args):
    for a in args:
        if not isinstance(a, Tensor):
            raise TypeError("%s(): argument 'other' must be Tensor, not %s"
                            % (name, type(a).__name__))


def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


register(OpInfo("true_divide", true_divide, _nonzero_binary_samples, method=True))


def floor_divide(input, other, *, out=None):
    with no_grad():
        res = div(input, other, rounding_mode="floor")
    return _out(no_derivative("floor_divide", res._data, input, other), out)


register(OpInfo("floor_divide", floor_divide, _nonzero_binary_samples, method=True,
                inplace="floor_divide_", operators=("__floordiv__", "__rfloordiv__"),
                dtypes=INT_FLOAT, grad=False))


def ones_like_bool(t):
    return _make(array_module(t._data).ones(t._data.shape, dtype=bool))


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` in double precision (complex128 when either is complex)."""
    a, b = binary_operands(input, exponent)
    wide = _dtype.complex128 if a._data.dtype.kind == "c" else _dtype.float64
    return pow(cast(a, wide), cast(b, wide), out=out)


register(OpInfo("float_power", float_power, _positive_binary_samples, method=True))


class Neg(Node):
    def forward(ctx, a):
        return np.negative(a)

    def backward(ctx, g):
        return -g

    @staticmethod
    def onnx(call):
        return call.g.op("Neg", *call.operands())


def neg(input, *, out=None):
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(Neg.apply((input,)), out)


negative = neg


def _unary_samples(low=-2.0, high=2.0):
    def samples(dtype):
        yield SampleInput(T(3, 4, low=low, high=high), name="2-d")
        yield SampleInput(T(low=low, high=high), name="0-d")
        yield SampleInput(T(5, 4, low=low, high=high, noncontig=True), name="noncontig")
        yield SampleInput(T(0, 3, low=low, high=high), name="empty")

    return samples


register(OpInfo("neg", neg, _unary_samples(), method=True, inplace="neg_",
                operators=("__neg__",), dtypes=INT_FLOAT + COMPLEX))


class Clamp(Node):
    save = (0,)

    def name(self):
        return "ClampBackward1"

    def forward(ctx, a, lo, hi):
        out = a
        if lo is not None:
            out = np.maximum(out, array_module(a).asarray(lo, a.dtype))
        if hi is not None:
            out = np.minimum(out, array_module(a).asarray(hi, a.dtype))
        if out is a:
            out = a.copy()
        ctx.lo, ctx.hi = lo, hi
        return out

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        mask = None
        if ctx.lo is not None:
            mask = a >= ctx.lo
        if ctx.hi is not None:
            m = a <= ctx.hi
            mask = m if mask is None else mask & m
        return g * mask if mask is not None else g

    @staticmethod
    def onnx(call):
        lo, hi = call.params
        return call.g.op("Clip", *call.operands(), None if lo is None else call.scalar(lo),
                         None if hi is None else call.scalar(hi))


class ClampTensor(Node):
    """clamp with tensor bounds: the gradient goes to whichever of input/min/max was chosen."""

    save = (0, 1, 2)

    def forward(ctx, a, lo, hi):
        ctx.shapes = (a.shape, lo.shape, hi.shape)
        return np.minimum(np.maximum(a, lo), hi)

    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        sa, sl, sh = ctx.shapes
        # torch's masks: a NaN bound (or input) sends the gradient nowhere
        ga = where((a >= lo) & (a <= hi), g, 0.0)
        glo = where((a < lo) & (lo < hi), g, 0.0)
        ghi = where((a > hi) | (hi < lo), g, 0.0)
        return sum_to_shape(ga, sa), sum_to_shape(glo, sl), sum_to_shape(ghi, sh)

    @staticmethod
    def onnx(call):
        x, *bounds = call.operands()
        for op, bound in zip(("Max", "Min"), bounds):
            x = call.g.op(op, x, bound)
        return x


def clamp(input, min=None, max=None, *, out=None):
    """Clamp to [min, max]; bounds may be numbers or tensors (broadcast), as torch."""
    refuse_complex("clamp is not supported for complex types", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        dt = _dtype.result_type(*(x for x in (input, min, max) if x is not None))
        a = cast(input, dt)
        info = np.finfo(dt.np) if dt.is_floating_point else np.iinfo(dt.np)
        lo = cast(as_tensor_operand(min, dt), dt) if min is not None else _make(
            array_module(a._data).asarray(-np.inf if dt.is_floating_point else info.min,
                                          dt.np))
        hi = cast(as_tensor_operand(max, dt), dt) if max is not None else _make(
            array_module(a._data).asarray(np.inf if dt.is_floating_point else info.max,
                                          dt.np))
        return _out(ClampTensor.apply((a, lo, hi)), out)
    dt = _dtype.result_type(input, *(x for x in (min, max) if x is not None))
    a = cast(input, dt)
    lo = None if min is None else np.asarray(min, dt.np).item()
    hi = None if max is None else np.asarray(max, dt.np).item()
    return _out(Clamp.apply((a,), lo, hi), out)


clip = clamp


def _clamp_samples(dtype):
    yield SampleInput(T(3, 4, values=[[-1.7, -0.4, 0.3, 2.6], [1.2, -2.2, 0.8, -0.9],
                                      [3.1, -3.3, 0.1, 5.4]]), -1.0, 1.0)
    yield SampleInput(T(3, 4), min=-0.5)
    yield SampleInput(T(3, 4), max=0.5)
    yield SampleInput(T(5, 4, noncontig=True), -1.0, 1.0)
    yield SampleInput(T(3, 4), T(3, 4, low=-2, high=-0.1), T(4, low=0.1, high=2), name="tensor")
    yield SampleInput(T(3, 4), min=T(3, 1), name="tensor min")
    nan = float("nan")
    yield SampleInput(T(4, values=[1.0, 2.0, nan, -3.0]), T(4, values=[nan, 0.0, 0.0, nan]),
                      T(4, values=[3.0, nan, 1.0, 1.0]), name="edge: NaN bounds")


def _clamp_errors():
    yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "At least one of 'min' or 'max'")


register(OpInfo("clamp", clamp, _clamp_samples, _clamp_errors, method=True, inplace="clamp_",
                dtypes=INT_FLOAT))


def clamp_min(input, min):
    return clamp(input, min=min)


register(OpInfo("clamp_min", clamp_min, lambda dt: iter([SampleInput(T(3, 4), 0.2)]),
                method=True, inplace="clamp_min_"))


def clamp_max(input, max):
    return clamp(input, max=max)


register(OpInfo("clamp_max", clamp_max, lambda dt: iter([SampleInput(T(3, 4), 0.2)]),
                method=True, inplace="clamp_max_"))


register(OpInfo("negative", negative, _unary_samples(), method=True, inplace="negative_"))


register(OpInfo("clip", clip, _clamp_samples, method=True, inplace="clip_"))


from ember.ops.unary import log  # noqa: E402
from ember.ops.indexing import where  # noqa: E402
