"""One-input elementwise math: exp, log, trigonometric and hyperbolic functions, sqrt, abs, sign,
rounding, sigmoid, erf, nan_to_num.
"""
import math

from ember import _dtype as D
from ember._backend import np
from ember.autograd.function import Node
from ember.ops._util import cast, to_float
from ember.ops.arithmetic import _out, _unary_samples
from ember.ops.registry import ALL, INT_FLOAT, OpInfo, SampleInput, T, register


class Abs(Node):
    save = (0,)

    def forward(ctx, a):
        return np.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sign(a)


def abs(input, *, out=None):
    if input._data.dtype.kind == "b":
        raise RuntimeError("abs does not support bool tensors")
    return _out(Abs.apply((input,)), out)


absolute = abs


def _away_from_ties(dtype):
    yield SampleInput(T(3, 4, values=[[-1.7, -0.4, 0.3, 2.6], [1.2, -2.2, 0.8, -0.9],
                                       [3.1, -3.3, 0.1, 5.4]]))
    yield SampleInput(T(values=1.3))


register(OpInfo("abs", abs, _away_from_ties, method=True, inplace="abs_",
                operators=("__abs__",), dtypes=INT_FLOAT))


class Sign(Node):
    def forward(ctx, a):
        return np.sign(a)

    def backward(ctx, g):
        return g * 0


def sign(input, *, out=None):
    if input._data.dtype.kind == "b":
        return input.clone()
    return _out(Sign.apply((input,)), out)


register(OpInfo("sign", sign, _unary_samples(), method=True, inplace="sign_", dtypes=ALL))


class Reciprocal(Node):
    save_output = True

    def forward(ctx, a):
        return np.reciprocal(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -g * out * out


def _unary(node, float_only=True):
    def op(input, *, out=None):
        t = to_float(input) if float_only else input
        return _out(node.apply((t,)), out)

    return op


reciprocal = _unary(Reciprocal)


class Sqrt(Node):
    save_output = True

    def forward(ctx, a):
        return np.sqrt(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


sqrt = _unary(Sqrt)


class Rsqrt(Node):
    save_output = True

    def forward(ctx, a):
        return 1 / np.sqrt(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -0.5 * g * out * out * out


rsqrt = _unary(Rsqrt)


class Exp(Node):
    save_output = True

    def forward(ctx, a):
        return np.exp(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


exp = _unary(Exp)


class Exp2(Node):
    save_output = True

    def forward(ctx, a):
        return np.exp2(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * math.log(2.0)


exp2 = _unary(Exp2)


class Expm1(Node):
    save_output = True

    def forward(ctx, a):
        return np.expm1(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


expm1 = _unary(Expm1)


class Log(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


log = _unary(Log)


class Log2(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log2(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * math.log(2.0))


log2 = _unary(Log2)


class Log10(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log10(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * math.log(10.0))


log10 = _unary(Log10)


class Log1p(Node):
    save = (0,)

    def forward(ctx, a):
        return np.log1p(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a + 1)


log1p = _unary(Log1p)


class Sin(Node):
    save = (0,)

    def forward(ctx, a):
        return np.sin(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


sin = _unary(Sin)


class Cos(Node):
    save = (0,)

    def forward(ctx, a):
        return np.cos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * sin(a)


cos = _unary(Cos)


class Tan(Node):
    save_output = True

    def forward(ctx, a):
        return np.tan(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)


tan = _unary(Tan)


class Asin(Node):
    save = (0,)

    def forward(ctx, a):
        return np.arcsin(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(1 - a * a)


asin = arcsin = _unary(Asin)


class Acos(Node):
    save = (0,)

    def forward(ctx, a):
        return np.arccos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * rsqrt(1 - a * a)


acos = arccos = _unary(Acos)


class Atan(Node):
    save = (0,)

    def forward(ctx, a):
        return np.arctan(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a * a)


atan = arctan = _unary(Atan)


class Sinh(Node):
    save = (0,)

    def forward(ctx, a):
        return np.sinh(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


sinh = _unary(Sinh)


class Cosh(Node):
    save = (0,)

    def forward(ctx, a):
        return np.cosh(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


cosh = _unary(Cosh)


class Tanh(Node):
    save_output = True

    def forward(ctx, a):
        return np.tanh(a)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return TanhBackward.apply((g, out))


tanh = _unary(Tanh)


class Sigmoid(Node):
    save_output = True

    def forward(ctx, a):
        # exp of a non-positive number only: no overflow for large |a|.
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return SigmoidBackward.apply((g, out))


sigmoid = _unary(Sigmoid)


class Erf(Node):
    save = (0,)

    def forward(ctx, a):
        return _erf(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (2 / math.sqrt(math.pi)) * exp(-(a * a))


erf = _unary(Erf)


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


class Square(Node):
    save = (0,)

    def name(self):
        return "PowBackward0"


    def forward(ctx, a):
        return np.square(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 2 * a


def square(input, *, out=None):
    if input._data.dtype.kind == "b":
        input = cast(input, D.int64)
    return _out(Square.apply((input,)), out)


register(OpInfo("square", square, _unary_samples(), method=True, inplace="square_",
                dtypes=INT_FLOAT))


class TanhBackward(Node):
    """g * (1 - y**2) in one kernel; its own backward gives tanh's second derivative."""

    save = (0, 1)

    def forward(ctx, g, y):
        return g * (1 - y * y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return gg * (1 - y * y), -2 * gg * g * y


class SigmoidBackward(Node):
    """g * y * (1 - y) in one kernel; differentiable again."""

    save = (0, 1)

    def forward(ctx, g, y):
        return g * (y * (1 - y))

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return gg * y * (1 - y), gg * g * (1 - 2 * y)


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


def frac(input, *, out=None):
    return _out(Frac.apply((input,)), out)


register(OpInfo("frac", frac, _unary_samples(-3.0, 3.0), method=True, inplace="frac_"))


class Rounding(Node):
    """floor, ceil, round, trunc: piecewise constant, gradient zero."""

    def forward(ctx, a, fn, decimals=0):
        if decimals:
            return fn(a, decimals)
        return fn(a)

    def backward(ctx, g):
        return g * 0


def round(input, *, decimals=0, out=None):
    """Round half to even, as torch (and NumPy) do; ``decimals`` as torch's."""
    if input._data.dtype.kind in "iub":
        if decimals:
            from ember._tensor_str import dtype_word

            raise NotImplementedError('"round_cpu" not implemented for \'%s\''
                                      % dtype_word(input._data.dtype))
        return _out(input.clone(), out)
    return _out(Rounding.apply((input,), np.round, decimals), out)


def _round_samples(dtype):
    yield from _away_from_ties(dtype)
    yield SampleInput(T(values=[0.123, 1.571, 2.449, -0.333, 1.212, 3.14159]), decimals=1)


register(OpInfo("round", round, _round_samples, method=True, inplace="round_",
                dtypes=INT_FLOAT))


for _name, _fn in list(globals().items()):
    if _fn is not None and getattr(_fn, "__name__", None) == "op":
        _fn.__name__ = _fn.__qualname__ = _name


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


for _name, _fn in (("floor", floor), ("ceil", ceil), ("trunc", trunc), ("fix", fix)):
    register(OpInfo(_name, _fn, _away_from_ties, method=True, inplace=_name + "_",
                    dtypes=INT_FLOAT))


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


def _nan_samples(dtype):
    yield SampleInput(T(values=[1.0, float("nan"), float("inf"), -float("inf"), -2.0]))
    yield SampleInput(T(values=[1.0, float("nan"), float("inf")]), nan=2.0, posinf=9.0)


register(OpInfo("nan_to_num", nan_to_num, _nan_samples, method=True, inplace="nan_to_num_",
                gradgrad=True))


register(OpInfo("absolute", absolute, _away_from_ties, method=True))


def sgn(input, *, out=None):
    """The sign of each element (for real tensors, :func:`sign`)."""
    return _out(sign(input), out)


# torch's sgn returns its zero gradient as a ZeroTensor, which has no NumPy form; for real
# tensors sgn is sign, whose gradient is an ordinary zero tensor, so the oracle is sign.
register(OpInfo("sgn", sgn, _unary_samples(-2.0, 2.0), method=True, inplace="sgn_", dtypes=ALL,
                ref=lambda torch, *args, **kwargs: torch.sign(*args, **kwargs)))


def deg2rad(input, *, out=None):
    """Degrees to radians."""
    return _out(to_float(input) * (math.pi / 180.0), out)


register(OpInfo("deg2rad", deg2rad, _unary_samples(-200.0, 200.0), method=True,
                inplace="deg2rad_", dtypes=INT_FLOAT))


def rad2deg(input, *, out=None):
    """Radians to degrees."""
    return _out(to_float(input) * (180.0 / math.pi), out)


register(OpInfo("rad2deg", rad2deg, _unary_samples(-4.0, 4.0), method=True, inplace="rad2deg_",
                dtypes=INT_FLOAT, atol=1e-4))
