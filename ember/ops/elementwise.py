"""Elementwise ops: arithmetic, unary math, activations, comparisons, logic, selection.

Each op is a Node subclass: ``forward`` on arrays right above ``backward`` written with ember
tensor ops (so gradients are themselves differentiable). Broadcasting ops reduce their
gradients back to each input's shape with ``sum_to_shape``.
"""
import math

from ember import _dtype as D
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node, tag
from ember.ops._util import (as_tensor_operand, binary_operands, cast, check_broadcast,
                             sum_to_shape, to_float)
from ember.ops.registry import (ALL, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T,
                                register)


# --- dtype conversion ----------------------------------------------------------------------------

class ToCopy(Node):
    def forward(ctx, a, dtype):
        ctx.src_dtype = D.from_numpy_dtype(a.dtype)
        return a.astype(dtype.np)

    def backward(ctx, g):
        return cast(g, ctx.src_dtype)


def _cast(t, dtype):
    if dtype.is_floating_point and t._data.dtype.kind == "f":
        return ToCopy.apply((t,), dtype)
    # Casting to or from integers is not differentiable.
    return _make(t._data.astype(dtype.np))


# --- binary arithmetic ---------------------------------------------------------------------------

class Add(Node):
    # Input shapes are kept only when they differ (broadcasting); equal shapes need no
    # reduction, and skipping the bookkeeping keeps the common case cheap.
    shapes = None
    alpha = 1

    def forward(ctx, a, b, alpha=1):
        if a.shape != b.shape:
            ctx.shapes = (a.shape, b.shape)
        if alpha == 1:
            return a + b
        ctx.alpha = alpha
        return a + b * alpha

    def backward(ctx, g):
        gb = g if ctx.alpha == 1 else g * ctx.alpha
        if ctx.shapes is None:
            return g, gb
        sa, sb = ctx.shapes
        return sum_to_shape(g, sa), sum_to_shape(gb, sb)


class Sub(Node):
    shapes = None
    alpha = 1

    def forward(ctx, a, b, alpha=1):
        if a.shape != b.shape:
            ctx.shapes = (a.shape, b.shape)
        if alpha == 1:
            return a - b
        ctx.alpha = alpha
        return a - b * alpha

    def backward(ctx, g):
        gb = -g if ctx.alpha == 1 else g * -ctx.alpha
        if ctx.shapes is None:
            return g, gb
        sa, sb = ctx.shapes
        return sum_to_shape(g, sa), sum_to_shape(gb, sb)


class Mul(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to_shape(g * b, a._data.shape) if need[0] else None,
                sum_to_shape(g * a, b._data.shape) if need[1] else None)


class Div(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        return a / b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to_shape(g / b, a._data.shape) if need[0] else None,
                sum_to_shape(-g * a / (b * b), b._data.shape) if need[1] else None)


class AddScalar(Node):
    """``a + s`` for a Python number ``s`` (torch's Scalar overload: no tensor made for ``s``)."""

    def forward(ctx, a, s):
        return a + s

    def backward(ctx, g):
        return g

    def name(self):
        return "AddBackward0"


class SubScalar(Node):
    """``a - s`` (``reverse``: ``s - a``)."""

    def forward(ctx, a, s, reverse):
        ctx.reverse = reverse
        return s - a if reverse else a - s

    def backward(ctx, g):
        return -g if ctx.reverse else g

    def name(self):
        return "RsubBackward1" if self.reverse else "SubBackward0"


class MulScalar(Node):
    def forward(ctx, a, s):
        ctx.s = s
        return a * s

    def backward(ctx, g):
        return g * ctx.s

    def name(self):
        return "MulBackward0"


class DivScalar(Node):
    """``a / s`` (``reverse``: ``s / a``, whose backward needs the output)."""

    save_output = True

    def forward(ctx, a, s, reverse):
        ctx.s, ctx.reverse = s, reverse
        return s / a if reverse else a / s

    def backward(ctx, g):
        if ctx.reverse:
            (out,) = ctx.saved_tensors
            return -g * out * out / ctx.s if ctx.s != 0 else g * 0
        return g / ctx.s

    def name(self):
        # torch computes ``s / t`` as ``t.reciprocal() * s``
        return "MulBackward0" if self.reverse else "DivBackward0"


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


def _check_int_divisor(b):
    if b.size and (np.asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")


class Remainder(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iu" and a.size:
            _check_int_divisor(b)
        return np.remainder(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        gb = -g * div(a, b, rounding_mode="floor") if ctx.needs_input_grad[1] else None
        return sum_to_shape(g, sa), None if gb is None else sum_to_shape(gb, sb)


class Fmod(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iu" and a.size:
            _check_int_divisor(b)
        return np.fmod(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        gb = -g * div(a, b, rounding_mode="trunc") if ctx.needs_input_grad[1] else None
        return sum_to_shape(g, sa), None if gb is None else sum_to_shape(gb, sb)


class Pow(Node):
    save = (0, 1)
    save_output = True

    def name(self):
        return "PowBackward%d" % self.__dict__.get("variant", 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iu" and (np.asarray(b) < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return np.power(a, b)

    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            # d/da a**b = b * a**(b-1), taken as 0 where b == 0 (torch's convention).
            ga = where(b == 0, 0.0, g * b * pow(a, b - 1))
            ga = sum_to_shape(ga, sa)
        if need[1]:
            gb = where((a == 0) & (b >= 0), 0.0, g * out * log(a))
            gb = sum_to_shape(gb, sb)
        return ga, gb


class Atan2(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return np.arctan2(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        denom = a * a + b * b
        return sum_to_shape(g * b / denom, sa), sum_to_shape(-g * a / denom, sb)


class Maximum(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return np.maximum(a, b)

    def backward(ctx, g):
        # Ties split the gradient equally, as torch does.
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        half = g * 0.5
        ga = where(a > b, g, where(a == b, half, 0.0))
        gb = where(b > a, g, where(a == b, half, 0.0))
        return sum_to_shape(ga, sa), sum_to_shape(gb, sb)


class Minimum(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return np.minimum(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        half = g * 0.5
        ga = where(a < b, g, where(a == b, half, 0.0))
        gb = where(b < a, g, where(a == b, half, 0.0))
        return sum_to_shape(ga, sa), sum_to_shape(gb, sb)


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


def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


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
    return _out(_binary_apply(RoundedDiv, a, b, rounding_mode), out)


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


def remainder(input, other, *, out=None):
    a, b = binary_operands(input, other)
    return _out(_binary_apply(Remainder, a, b), out)


def fmod(input, other, *, out=None):
    a, b = binary_operands(input, other)
    return _out(_binary_apply(Fmod, a, b), out)


def pow(input, exponent, *, out=None):
    if _is_bool(input) and _is_bool(exponent):
        if isinstance(exponent, Tensor):
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        # x ** False is True and x ** True is x: bool stays bool, as in torch.
        return _out(input.clone() if exponent else ones_like_bool(input), out)
    a, b = binary_operands(input, exponent)
    res = _binary_apply(Pow, a, b)
    # torch's overloads: Tensor ** Scalar, Tensor ** Tensor, Scalar ** Tensor
    variant = 1 if isinstance(input, Tensor) and isinstance(exponent, Tensor) else \
        0 if isinstance(input, Tensor) else 2
    tag(res, variant=variant)
    return _out(res, out)


def ones_like_bool(t):
    return _make(np.ones(t._data.shape, dtype=bool))


def float_power(input, exponent, *, out=None):
    a, b = binary_operands(input, exponent)
    return pow(cast(a, D.float64), cast(b, D.float64), out=out)


def atan2(input, other, *, out=None):
    _require_tensors("atan2", input, other)
    a, b = binary_operands(input, other)
    return _out(_binary_apply(Atan2, to_float(a), to_float(b)), out)


arctan2 = atan2


def maximum(input, other, *, out=None):
    _require_tensors("maximum", input, other)
    a, b = binary_operands(input, other)
    return _out(_binary_apply(Maximum, a, b), out)


def minimum(input, other, *, out=None):
    _require_tensors("minimum", input, other)
    a, b = binary_operands(input, other)
    return _out(_binary_apply(Minimum, a, b), out)


def fmax(input, other, *, out=None):
    _require_tensors("fmax", input, other)
    a, b = binary_operands(input, other)
    from ember.ops.comparison import isnan

    return where(isnan(b) | (a >= b), a, b)


def fmin(input, other, *, out=None):
    _require_tensors("fmin", input, other)
    a, b = binary_operands(input, other)
    from ember.ops.comparison import isnan

    return where(isnan(b) | (a <= b), a, b)


def _require_tensors(name, *args):
    for a in args:
        if not isinstance(a, Tensor):
            raise TypeError("%s(): argument 'other' must be Tensor, not %s"
                            % (name, type(a).__name__))


def _out(result, out):
    """Support torch's ``out=`` argument: copy into ``out`` (resizing it like torch)."""
    if out is None:
        return result
    if out._requires_grad and _grad_enabled():
        raise RuntimeError("%s(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad."
                           % "op")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()
    return out


def _grad_enabled():
    from ember.autograd.grad_mode import _State

    return _State.enabled


# --- unary math ----------------------------------------------------------------------------------

class Neg(Node):
    def forward(ctx, a):
        return np.negative(a)

    def backward(ctx, g):
        return -g


class Abs(Node):
    save = (0,)

    def forward(ctx, a):
        return np.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sign(a)


class Sign(Node):
    def forward(ctx, a):
        return np.sign(a)

    def backward(ctx, g):
        return g * 0


class Reciprocal(Node):
    save_output = True

    def forward(ctx, a):
        return np.reciprocal(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -g * out * out


class Square(Node):
    save = (0,)

    def name(self):
        return "PowBackward0"


    def forward(ctx, a):
        return np.square(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 2 * a


class Sqrt(Node):
    save_output = True

    def forward(ctx, a):
        return np.sqrt(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Rsqrt(Node):
    save_output = True

    def forward(ctx, a):
        return 1 / np.sqrt(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -0.5 * g * out * out * out


class Exp(Node):
    save_output = True

    def forward(ctx, a):
        return np.exp(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Exp2(Node):
    save_output = True

    def forward(ctx, a):
        return np.exp2(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * math.log(2.0)


class Expm1(Node):
    save_output = True

    def forward(ctx, a):
        return np.expm1(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Log(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log2(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log2(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * math.log(2.0))


class Log10(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log10(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * math.log(10.0))


class Log1p(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log1p(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a + 1)


class Sin(Node):
    save = (0,)

    def forward(ctx, a):
        return np.sin(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class Cos(Node):
    save = (0,)

    def forward(ctx, a):
        return np.cos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * sin(a)


class Tan(Node):
    save_output = True

    def forward(ctx, a):
        return np.tan(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)


class Asin(Node):
    save = (0,)

    def forward(ctx, a):
        return np.arcsin(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(1 - a * a)


class Acos(Node):
    save = (0,)

    def forward(ctx, a):
        return np.arccos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * rsqrt(1 - a * a)


class Atan(Node):
    save = (0,)

    def forward(ctx, a):
        return np.arctan(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a * a)


class Sinh(Node):
    save = (0,)

    def forward(ctx, a):
        return np.sinh(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class Cosh(Node):
    save = (0,)

    def forward(ctx, a):
        return np.cosh(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


class Tanh(Node):
    save_output = True

    def forward(ctx, a):
        return np.tanh(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return TanhBackward.apply((g, out))


class TanhBackward(Node):
    """g * (1 - y**2) in one kernel; its own backward gives tanh's second derivative."""

    save = (0, 1)

    def forward(ctx, g, y):
        return g * (1 - y * y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return gg * (1 - y * y), -2 * gg * g * y


class Sigmoid(Node):
    save_output = True

    def forward(ctx, a):
        # exp of a non-positive number only: no overflow for large |a|.
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return SigmoidBackward.apply((g, out))


class SigmoidBackward(Node):
    """g * y * (1 - y) in one kernel; differentiable again."""

    save = (0, 1)

    def forward(ctx, g, y):
        return g * (y * (1 - y))

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return gg * y * (1 - y), gg * g * (1 - 2 * y)


class LogSigmoid(Node):
    save = (0,)

    def forward(ctx, a):
        # log(sigmoid(a)) = min(a, 0) - log1p(exp(-|a|)), stable for large |a|.
        return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sigmoid(-a)


class Relu(Node):
    save_output = True

    def forward(ctx, a):
        return np.maximum(a, 0)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return ThresholdBackward.apply((g, out))


class ThresholdBackward(Node):
    """g where y > 0, else 0: ReLU's backward as one kernel (``g * mask`` is 5x faster than
    ``np.where``, see PERFORMANCE.md). Linear in ``g``, so its backward is itself."""

    def forward(ctx, g, y):
        ctx.y = y
        return g * (y > 0)

    def backward(ctx, gg):
        return ThresholdBackward.apply((gg, _make(ctx.y))), None


class Erf(Node):
    save = (0,)

    def forward(ctx, a):
        return _erf(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (2 / math.sqrt(math.pi)) * exp(-(a * a))


def _erf(a):
    """erf from SciPy when installed (vectorised); otherwise ``math.erf`` element by element."""
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:
        scipy_erf = None
    if scipy_erf is not None:
        return scipy_erf(a).astype(a.dtype, copy=False)
    flat = a.reshape(-1)
    out = np.fromiter((math.erf(v) for v in flat.tolist()), dtype=a.dtype, count=flat.size)
    return out.reshape(a.shape)


class Frac(Node):
    def forward(ctx, a):
        return a - np.trunc(a)

    def backward(ctx, g):
        return g


class Rounding(Node):
    """floor, ceil, round, trunc: piecewise constant, gradient zero."""

    def forward(ctx, a, fn, decimals=0):
        if decimals:
            return fn(a, decimals)
        return fn(a)

    def backward(ctx, g):
        return g * 0


def _unary(node, float_only=True):
    def op(input, *, out=None):
        t = to_float(input) if float_only else input
        return _out(node.apply((t,)), out)

    return op


reciprocal = _unary(Reciprocal)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
exp = _unary(Exp)
exp2 = _unary(Exp2)
expm1 = _unary(Expm1)
log = _unary(Log)
log2 = _unary(Log2)
log10 = _unary(Log10)
log1p = _unary(Log1p)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
asin = arcsin = _unary(Asin)
acos = arccos = _unary(Acos)
atan = arctan = _unary(Atan)
sinh = _unary(Sinh)
cosh = _unary(Cosh)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
erf = _unary(Erf)
for _name, _fn in list(globals().items()):
    if _fn is not None and getattr(_fn, "__name__", None) == "op":
        _fn.__name__ = _fn.__qualname__ = _name


def neg(input, *, out=None):
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(Neg.apply((input,)), out)


negative = neg


def abs(input, *, out=None):
    if input._data.dtype.kind == "b":
        raise RuntimeError("abs does not support bool tensors")
    return _out(Abs.apply((input,)), out)


absolute = abs


def sign(input, *, out=None):
    if input._data.dtype.kind == "b":
        return input.clone()
    return _out(Sign.apply((input,)), out)


def square(input, *, out=None):
    if input._data.dtype.kind == "b":
        input = cast(input, D.int64)
    return _out(Square.apply((input,)), out)


def logsigmoid(input):
    return LogSigmoid.apply((input,))


def relu(input, inplace=False):
    """max(input, 0). ``inplace=True`` writes into ``input`` as ``relu_`` does."""
    if input._data.dtype.kind == "b":
        raise RuntimeError('"clamp_min_cpu" not implemented for \'Bool\'')
    if inplace:
        return input.relu_()
    return Relu.apply((input,))


def frac(input, *, out=None):
    return _out(Frac.apply((input,)), out)


def _rounding(np_fn, name):
    def op(input, *, out=None):
        if input._data.dtype.kind in "iub":
            return _out(input.clone(), out)
        return _out(Rounding.apply((input,), np_fn), out)

    op.__name__ = op.__qualname__ = name
    return op


floor = _rounding(np.floor, "floor")
ceil = _rounding(np.ceil, "ceil")
trunc = _rounding(np.trunc, "trunc")
fix = trunc


def round(input, *, decimals=0, out=None):
    """Round half to even, as torch (and NumPy) do; ``decimals`` as torch's."""
    if input._data.dtype.kind in "iub":
        if decimals:
            from ember._tensor_str import dtype_word

            raise NotImplementedError('"round_cpu" not implemented for \'%s\''
                                      % dtype_word(input._data.dtype))
        return _out(input.clone(), out)
    return _out(Rounding.apply((input,), np.round, decimals), out)


# --- clamp, where, lerp, addcmul ---------------------------------------------------------------

class Clamp(Node):
    save = (0,)

    def name(self):
        return "ClampBackward1"

    def forward(ctx, a, lo, hi):
        out = a
        if lo is not None:
            out = np.maximum(out, np.asarray(lo, a.dtype))
        if hi is not None:
            out = np.minimum(out, np.asarray(hi, a.dtype))
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


class ClampTensor(Node):
    """clamp with tensor bounds: the gradient goes to whichever of input/min/max was chosen."""

    save = (0, 1, 2)

    def forward(ctx, a, lo, hi):
        ctx.shapes = (a.shape, lo.shape, hi.shape)
        return np.minimum(np.maximum(a, lo), hi)

    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        sa, sl, sh = ctx.shapes
        use_hi = (maximum(a, lo) > hi) | (lo > hi)
        use_lo = (a < lo) & ~use_hi
        ga = where(use_hi | use_lo, 0.0, g)
        return (sum_to_shape(ga, sa), sum_to_shape(where(use_lo, g, 0.0), sl),
                sum_to_shape(where(use_hi, g, 0.0), sh))


def clamp(input, min=None, max=None, *, out=None):
    """Clamp to [min, max]; bounds may be numbers or tensors (broadcast), as torch."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        dt = D.result_type(*(x for x in (input, min, max) if x is not None))
        a = cast(input, dt)
        info = np.finfo(dt.np) if dt.is_floating_point else np.iinfo(dt.np)
        lo = cast(as_tensor_operand(min, dt), dt) if min is not None else _make(
            np.asarray(-np.inf if dt.is_floating_point else info.min, dt.np))
        hi = cast(as_tensor_operand(max, dt), dt) if max is not None else _make(
            np.asarray(np.inf if dt.is_floating_point else info.max, dt.np))
        return _out(ClampTensor.apply((a, lo, hi)), out)
    dt = D.result_type(input, *(x for x in (min, max) if x is not None))
    a = cast(input, dt)
    lo = None if min is None else np.asarray(min, dt.np).item()
    hi = None if max is None else np.asarray(max, dt.np).item()
    return _out(Clamp.apply((a,), lo, hi), out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


class Where(Node):
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        ctx.shapes = (a.shape, b.shape)
        return np.where(cond, a, b)

    def backward(ctx, g):
        cond = _make(ctx.cond)
        sa, sb = ctx.shapes
        zero = g * 0
        need = ctx.needs_input_grad
        return (None,
                sum_to_shape(where(cond, g, zero), sa) if need[1] else None,
                sum_to_shape(where(cond, zero, g), sb) if need[2] else None)


def where(condition, input=None, other=None, *, out=None):
    """Select from ``input`` where ``condition`` else ``other``; one-argument form = nonzero."""
    if input is None and other is None:
        from ember.ops.indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor, not %s"
                        % type(condition).__name__)
    if condition._data.dtype.kind != "b":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           "with dtype %s" % condition.dtype.name.capitalize())
    a, b = binary_operands(input, other)
    try:
        np.broadcast_shapes(condition._data.shape, a._data.shape, b._data.shape)
    except ValueError:
        raise RuntimeError("where(): shapes %s, %s and %s cannot be broadcast together"
                           % (list(condition.shape), list(a.shape), list(b.shape))) from None
    return _out(Where.apply((condition, a, b)), out)


class Lerp(Node):
    save = (0, 1, 2)

    def forward(ctx, start, end, weight):
        ctx.shapes = (start.shape, end.shape, weight.shape)
        return start + weight * (end - start)

    def backward(ctx, g):
        s, e, w = ctx.saved_tensors
        ss, se, sw = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to_shape(g * (1 - w), ss) if need[0] else None,
                sum_to_shape(g * w, se) if need[1] else None,
                sum_to_shape(g * (e - s), sw) if need[2] else None)


def lerp(input, end, weight, *, out=None):
    dt = input.dtype
    w = cast(as_tensor_operand(weight, dt), dt)
    return _out(Lerp.apply((input, cast(end, dt), w)), out)


class Addcmul(Node):
    save = (1, 2)

    def forward(ctx, a, t1, t2, value):
        ctx.shapes, ctx.value = (a.shape, t1.shape, t2.shape), value
        return a + value * (t1 * t2)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        sa, s1, s2 = ctx.shapes
        v = ctx.value
        return (sum_to_shape(g, sa), sum_to_shape(g * t2 * v, s1), sum_to_shape(g * t1 * v, s2))


class Addcdiv(Node):
    save = (1, 2)

    def forward(ctx, a, t1, t2, value):
        ctx.shapes, ctx.value = (a.shape, t1.shape, t2.shape), value
        return a + value * (t1 / t2)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        sa, s1, s2 = ctx.shapes
        v = ctx.value
        return (sum_to_shape(g, sa), sum_to_shape(g * v / t2, s1),
                sum_to_shape(-g * v * t1 / (t2 * t2), s2))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    dt = D.result_type(input, tensor1, tensor2)
    return _out(Addcmul.apply((cast(input, dt), cast(tensor1, dt), cast(tensor2, dt)), value), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future release addcdiv will perform a true division of tensor1 and "
                           "tensor2. The historic addcdiv behavior can be implemented as "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    dt = D.result_type(input, tensor1, tensor2)
    return _out(Addcdiv.apply((cast(input, dt), cast(tensor1, dt), cast(tensor2, dt)), value), out)


class NanToNum(Node):
    save = (0,)

    def forward(ctx, a, nan, posinf, neginf):
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        from ember.ops.comparison import isfinite

        return g * isfinite(a)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    if input._data.dtype.kind != "f":
        return _out(input.clone(), out)
    return _out(NanToNum.apply((input,), nan, posinf, neginf), out)


# --- samples and registration ------------------------------------------------------------------

def _binary_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4), name="same")
    yield SampleInput(T(3, 4), T(4), name="broadcast")
    yield SampleInput(T(2, 1, 4), T(3, 1), name="broadcast both")
    yield SampleInput(T(), T(), name="0-d")
    yield SampleInput(T(3, 4, noncontig=True), T(3, 4), name="noncontig")
    yield SampleInput(T(0, 4), T(4), name="empty")
    yield SampleInput(T(3, 4), 2.5, name="scalar")
    yield SampleInput(T(3, 4), T(), name="0-d other")


def _tensor_binary_samples(dtype):
    """Binary samples without Python-scalar operands (for ops torch requires tensors for)."""
    for s in _binary_samples(dtype):
        if all(not isinstance(a, (int, float)) for a in s.args):
            yield s


def _positive_binary_samples(dtype):
    yield SampleInput(T(3, 4, low=0.5, high=2), T(3, 4, low=0.5, high=2))
    yield SampleInput(T(3, 4, low=0.5, high=2), T(4, low=0.5, high=2))
    yield SampleInput(T(low=0.5, high=2), T(low=0.5, high=2))
    yield SampleInput(T(3, 4, low=0.5, high=2, noncontig=True), 1.5)


def _nonzero_binary_samples(dtype):
    for s in _binary_samples(dtype):
        args = tuple(T(*a.shape, low=1.0, high=3, noncontig=a.noncontig) if isinstance(a, T)
                     else a for a in s.args)
        yield SampleInput(*args, name=s.name)


def _nonzero_tensor_samples(dtype):
    for s in _nonzero_binary_samples(dtype):
        if all(not isinstance(a, (int, float)) for a in s.args):
            yield s


def _broadcast_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(4)), RuntimeError, r"size of tensor a \(3\) must "
                     r"match the size of tensor b \(4\) at non-singleton dimension 1")


def _unary_samples(low=-2.0, high=2.0):
    def samples(dtype):
        yield SampleInput(T(3, 4, low=low, high=high), name="2-d")
        yield SampleInput(T(low=low, high=high), name="0-d")
        yield SampleInput(T(5, 4, low=low, high=high, noncontig=True), name="noncontig")
        yield SampleInput(T(0, 3, low=low, high=high), name="empty")

    return samples


def _away_from_ties(dtype):
    yield SampleInput(T(3, 4, values=[[-1.7, -0.4, 0.3, 2.6], [1.2, -2.2, 0.8, -0.9],
                                       [3.1, -3.3, 0.1, 5.4]]))
    yield SampleInput(T(values=1.3))


from ember.ops.inplace import register_ufunc  # noqa: E402

register_ufunc(add, np.add)
register_ufunc(sub, np.subtract)
register_ufunc(mul, np.multiply)
register_ufunc(div, np.true_divide)

register(OpInfo("add", add, _binary_samples, _broadcast_errors, method=True, inplace="add_",
                operators=("__add__", "__radd__", "__iadd__"), dtypes=ALL))
register(OpInfo("sub", sub, _binary_samples, _broadcast_errors, method=True, inplace="sub_",
                operators=("__sub__", "__rsub__", "__isub__"), dtypes=INT_FLOAT))
register(OpInfo("mul", mul, _binary_samples, _broadcast_errors, method=True, inplace="mul_",
                operators=("__mul__", "__rmul__", "__imul__"), dtypes=ALL))
register(OpInfo("div", div, _nonzero_binary_samples, _broadcast_errors, method=True,
                inplace="div_", operators=("__truediv__", "__rtruediv__", "__itruediv__"),
                dtypes=INT_FLOAT))
register(OpInfo("true_divide", true_divide, _nonzero_binary_samples, method=True))
register(OpInfo("floor_divide", floor_divide, _nonzero_binary_samples, method=True,
                inplace="floor_divide_", operators=("__floordiv__", "__rfloordiv__"),
                dtypes=INT_FLOAT, grad=False))
register(OpInfo("remainder", remainder, _nonzero_binary_samples, method=True,
                inplace="remainder_", operators=("__mod__", "__rmod__"), dtypes=INT_FLOAT,
                gradgrad=False))
register(OpInfo("fmod", fmod, _nonzero_binary_samples, method=True, inplace="fmod_",
                dtypes=INT_FLOAT, gradgrad=False))
register(OpInfo("pow", pow, _positive_binary_samples, method=True, inplace="pow_",
                operators=("__pow__", "__rpow__", "__ipow__")))
register(OpInfo("float_power", float_power, _positive_binary_samples, method=True))
register(OpInfo("atan2", atan2, _nonzero_tensor_samples, method=True, inplace="atan2_"))
register(OpInfo("arctan2", arctan2, _nonzero_tensor_samples, method=True))
register(OpInfo("maximum", maximum, _tensor_binary_samples, method=True, dtypes=INT_FLOAT))
register(OpInfo("minimum", minimum, _tensor_binary_samples, method=True, dtypes=INT_FLOAT))
register(OpInfo("fmax", fmax, _tensor_binary_samples, method=True, dtypes=INT_FLOAT))
register(OpInfo("fmin", fmin, _tensor_binary_samples, method=True, dtypes=INT_FLOAT))

for _name, _fn, _low, _high in (
        ("reciprocal", reciprocal, 0.5, 2.0), ("sqrt", sqrt, 0.1, 3.0), ("rsqrt", rsqrt, 0.2, 3.0),
        ("exp", exp, -2.0, 2.0), ("exp2", exp2, -2.0, 2.0), ("expm1", expm1, -2.0, 2.0),
        ("log", log, 0.1, 3.0), ("log2", log2, 0.1, 3.0), ("log10", log10, 0.1, 3.0),
        ("log1p", log1p, -0.5, 3.0), ("sin", sin, -3.0, 3.0), ("cos", cos, -3.0, 3.0),
        ("tan", tan, -1.2, 1.2), ("asin", asin, -0.9, 0.9), ("acos", acos, -0.9, 0.9),
        ("atan", atan, -3.0, 3.0), ("sinh", sinh, -2.0, 2.0), ("cosh", cosh, -2.0, 2.0),
        ("tanh", tanh, -3.0, 3.0), ("sigmoid", sigmoid, -5.0, 5.0), ("erf", erf, -2.0, 2.0),
        ("arcsin", arcsin, -0.9, 0.9), ("arccos", arccos, -0.9, 0.9),
        ("arctan", arctan, -3.0, 3.0)):
    register(OpInfo(_name, _fn, _unary_samples(_low, _high), method=True, inplace=_name + "_",
                    dtypes=INT_FLOAT))

register(OpInfo("neg", neg, _unary_samples(), method=True, inplace="neg_",
                operators=("__neg__",), dtypes=INT_FLOAT))
register(OpInfo("negative", negative, _unary_samples(), method=True, inplace="negative_"))
register(OpInfo("abs", abs, _away_from_ties, method=True, inplace="abs_",
                operators=("__abs__",), dtypes=INT_FLOAT))
register(OpInfo("absolute", absolute, _away_from_ties, method=True))
register(OpInfo("sign", sign, _unary_samples(), method=True, inplace="sign_", dtypes=ALL))
register(OpInfo("square", square, _unary_samples(), method=True, inplace="square_",
                dtypes=INT_FLOAT))
register(OpInfo("logsigmoid", logsigmoid, _unary_samples(-30.0, 30.0),
                torch_name="nn.functional.logsigmoid"))
register(OpInfo("relu", relu, _away_from_ties, method=True, inplace="relu_",
                dtypes=("float32", "float64", "int64")))
register(OpInfo("frac", frac, _unary_samples(-3.0, 3.0), method=True, inplace="frac_"))
for _name, _fn in (("floor", floor), ("ceil", ceil), ("trunc", trunc), ("fix", fix)):
    register(OpInfo(_name, _fn, _away_from_ties, method=True, inplace=_name + "_",
                    dtypes=INT_FLOAT))


def _round_samples(dtype):
    yield from _away_from_ties(dtype)
    yield SampleInput(T(values=[0.123, 1.571, 2.449, -0.333, 1.212, 3.14159]), decimals=1)


register(OpInfo("round", round, _round_samples, method=True, inplace="round_",
                dtypes=INT_FLOAT))


def _clamp_samples(dtype):
    yield SampleInput(T(3, 4, values=[[-1.7, -0.4, 0.3, 2.6], [1.2, -2.2, 0.8, -0.9],
                                      [3.1, -3.3, 0.1, 5.4]]), -1.0, 1.0)
    yield SampleInput(T(3, 4), min=-0.5)
    yield SampleInput(T(3, 4), max=0.5)
    yield SampleInput(T(5, 4, noncontig=True), -1.0, 1.0)
    yield SampleInput(T(3, 4), T(3, 4, low=-2, high=-0.1), T(4, low=0.1, high=2), name="tensor")
    yield SampleInput(T(3, 4), min=T(3, 1), name="tensor min")


def _clamp_errors():
    yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "At least one of 'min' or 'max'")


register(OpInfo("clamp", clamp, _clamp_samples, _clamp_errors, method=True, inplace="clamp_",
                dtypes=INT_FLOAT))
register(OpInfo("clip", clip, _clamp_samples, method=True, inplace="clip_"))
register(OpInfo("clamp_min", clamp_min, lambda dt: iter([SampleInput(T(3, 4), 0.2)]),
                method=True, inplace="clamp_min_"))
register(OpInfo("clamp_max", clamp_max, lambda dt: iter([SampleInput(T(3, 4), 0.2)]),
                method=True, inplace="clamp_max_"))


def _where_samples(dtype):
    yield SampleInput(T(3, 4, dtype="bool", grad=False), T(3, 4), T(3, 4))
    yield SampleInput(T(3, 1, dtype="bool", grad=False), T(1, 4), T(3, 4))
    yield SampleInput(T(3, 4, dtype="bool", grad=False), T(3, 4), 0.0, name="scalar other")
    yield SampleInput(T(dtype="bool", grad=False), T(), T(2))


def _where_errors():
    yield ErrorInput(SampleInput(T(3, 4, grad=False), T(3, 4), T(3, 4)), RuntimeError,
                     "where expected condition to be a boolean tensor")


register(OpInfo("where", where, _where_samples, _where_errors, method=None, dtypes=ALL))


def _lerp_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4), 0.3)
    yield SampleInput(T(3, 4), T(4), T(3, 1, low=0, high=1))


register(OpInfo("lerp", lerp, _lerp_samples, method=True, inplace="lerp_"))


def _addc_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4), T(3, 4, low=0.5, high=2), value=0.5)
    yield SampleInput(T(4), T(3, 1), T(3, 4, low=0.5, high=2))


register(OpInfo("addcmul", addcmul, _addc_samples, method=True, inplace="addcmul_"))
register(OpInfo("addcdiv", addcdiv, _addc_samples, method=True, inplace="addcdiv_"))


def _nan_samples(dtype):
    yield SampleInput(T(values=[1.0, float("nan"), float("inf"), -float("inf"), -2.0]))
    yield SampleInput(T(values=[1.0, float("nan"), float("inf")]), nan=2.0, posinf=9.0)


register(OpInfo("nan_to_num", nan_to_num, _nan_samples, method=True, inplace="nan_to_num_",
                gradgrad=True))
