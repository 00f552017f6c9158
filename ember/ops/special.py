"""Special functions (``torch.special``): erf, erfc, erfinv, lgamma, digamma, polygamma, xlogy,
logit, sinc.

The one-input ones are lines of the table in ``unary.py`` (their host kernels live in
``_special_math.py``), xlogy a line of the one in ``binary.py``.
"""
import math

from ember._backend import np
from ember._tensor import Tensor
from ember.autograd.function import Node
from ember.ops import _special_math
from ember.ops._util import to_float
from ember.ops.arithmetic import _out, _unary_samples
from ember.ops.binary import _ranged_binary_samples, float_operands
from ember.ops.binary import table_op as binary_table_op
from ember.ops.registry import INT_FLOAT, OpInfo, SampleInput, T, register
from ember.ops.unary import X, Y, Unary, UnaryOp, cos, exp, sin, table_op, unary_function

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

# name, kernel, keeps, gradient, sample range
erf = table_op("erf", _special_math.erf, X, lambda g, x: g * _TWO_OVER_SQRT_PI * exp(-(x * x)),
               onnx="Erf")
erfc = table_op("erfc", _special_math.erfc, X,
                lambda g, x: g * -_TWO_OVER_SQRT_PI * exp(-(x * x)),
                onnx=lambda c, x: c.g.op("Sub", c.scalar(1), c.g.op("Erf", x)))
_ERFINV = UnaryOp("erfinv", _special_math.erfinv, Y,
                  lambda g, y: g * (math.sqrt(math.pi) / 2) * exp(y * y))
_LGAMMA = UnaryOp("lgamma", _special_math.gammaln, X, lambda g, x: g * digamma(x))


def erfinv(input, *, out=None):
    """The inverse of :func:`erf` on ``(-1, 1)``."""
    return _out(Unary.apply((to_float(input),), _ERFINV), out)


def lgamma(input, *, out=None):
    """``log(|gamma(input)|)``."""
    return _out(Unary.apply((to_float(input),), _LGAMMA), out)


class Polygamma(Node):
    """The ``n``-th derivative of digamma (``n = 0``: digamma itself)."""

    save = (0,)

    def forward(ctx, a, n):
        ctx.n = n
        return _special_math.polygamma(n, a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Polygamma.apply((a,), ctx.n + 1)

    def name(self):
        return "DigammaBackward0" if self.n == 0 else "PolygammaBackward0"


def digamma(input, *, out=None):
    """The logarithmic derivative of gamma."""
    return _out(Polygamma.apply((to_float(input),), 0), out)


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of :func:`digamma`."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply((to_float(input),), n), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_samples(dtype):
    yield SampleInput(1, T(3, 4, low=0.5, high=4.0))
    yield SampleInput(2, T(low=0.5, high=4.0))
    yield SampleInput(0, T(0, 3, low=0.5, high=4.0))


register(OpInfo("erfinv", erfinv, _unary_samples(-0.9, 0.9), method=True, inplace="erfinv_"))
register(OpInfo("lgamma", lgamma, _unary_samples(0.2, 5.0), method=True, inplace="lgamma_",
                dtypes=INT_FLOAT, atol=1e-4, rtol=1e-5))
register(OpInfo("digamma", digamma, _unary_samples(0.3, 5.0), method=True, inplace="digamma_",
                atol=1e-4, rtol=1e-5))
register(OpInfo("polygamma", polygamma, _polygamma_samples, atol=1e-4, rtol=1e-5))
if not hasattr(Tensor, "polygamma"):
    Tensor.polygamma = _polygamma_method


def _xlogy_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    # 0 * log(y) is 0 even where log(y) is -inf, but NaN in y still propagates.
    return np.where((x == 0) & ~np.isnan(y), np.zeros((), x.dtype), out)


def _xlogy_onnx(call, x, y):
    g, zero = call.g, call.scalar(0)
    return g.op("Where", g.op("Equal", x, zero), zero, g.op("Mul", x, g.op("Log", y)))


# A line of the binary table (``binary.py``). d/dx is log(y), also at x == 0 (as torch), except
# where the value is pinned to 0 because y <= 0 as well.
xlogy = binary_table_op("xlogy", _xlogy_kernel, "ab",
                        lambda g, x, y, out: where((x == 0) & (y <= 0), 0.0, xlogy(g, y)),
                        lambda g, x, y, out: g * x / y,
                        float_operands, onnx=_xlogy_onnx)
xlogy.__doc__ = "``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is NaN)."


def _xlogy_samples(dtype):
    yield from _ranged_binary_samples(0.2, 3.0)(dtype)
    yield SampleInput(T(values=[0.0, 1.5, 0.0, -2.0]), T(values=[0.5, 2.0, 3.0, 0.5]),
                      name="zero x")
    # log(0) = -inf: only the values are compared there.
    yield SampleInput(T(values=[0.0, 0.0, 1.5, 0.0], grad=False),
                      T(values=[0.0, float("nan"), 0.0, -1.0], grad=False), name="zero y")
    yield SampleInput(2.0, T(3, 4, low=0.2, high=3.0), name="scalar input")
    yield SampleInput(T(3, 4), 3, name="scalar other")


register(OpInfo("xlogy", xlogy, _xlogy_samples, method=True, inplace="xlogy_",
                dtypes=INT_FLOAT))


class Logit(Node):
    """``log(p / (1 - p))``; the gradient ``1 / (p (1 - p))`` is inf at 0 and 1 (as torch),
    NaN outside [0, 1], and 0 where ``eps`` clamped ``p``."""
    save = (0,)

    def forward(ctx, a, eps):
        ctx.eps = eps
        if eps is not None:
            a = np.clip(a, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a / (1 - a))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        grad = g / (x * (1 - x))
        if ctx.eps is None:
            return where((x < 0) | (x > 1), math.nan, grad)
        return where((x < ctx.eps) | (x > 1 - ctx.eps), 0.0, grad)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    return _out(Logit.apply((to_float(input),), eps), out)


def _logit_samples(dtype):
    yield from _unary_samples(0.05, 0.95)(dtype)
    yield SampleInput(T(values=[0.05, 0.3, 0.97, 0.5, 0.01, 0.6]), 0.1, name="eps")
    yield SampleInput(T(5, values=[0.0, 1.0, 1.5, -0.5, 0.5]), name="edge: 0, 1, outside")


register(OpInfo("logit", logit, _logit_samples, method=True, inplace="logit_"))


def _sinc_grad(g, x):
    zero = x == 0
    # sinc is smooth at 0 with slope 0; keep the division away from 0/0 there.
    t = where(zero, 1.0, x) * math.pi
    slope = (t * cos(t) - sin(t)) * math.pi / (t * t)
    return g * where(zero, 0.0, slope)


def _sinc_onnx(call, x):
    g = call.g
    zero = g.op("Equal", x, call.scalar(0))
    safe = g.op("Where", zero, call.scalar(1), g.op("Mul", x, call.scalar(math.pi)))
    return g.op("Where", zero, call.scalar(1), g.op("Div", g.op("Sin", safe), safe))


_sinc = unary_function(UnaryOp("sinc", np.sinc, X, _sinc_grad,
                               onnx=_sinc_onnx))


def sinc(input, *, out=None):
    """The normalised sinc, ``sin(pi x) / (pi x)``, and 1 at 0."""
    return _sinc(input, out=out)


def _sinc_samples(dtype):
    yield from _unary_samples(-2.5, 2.5)(dtype)
    yield SampleInput(T(values=[1.0, -2.0, 0.5, 1e-3]), name="integers")
    # The slope at 0 is 0 (compared with torch); the second derivative there is not modelled.
    yield SampleInput(T(values=[0.0, 1.5], grad=False), name="zero")


register(OpInfo("sinc", sinc, _sinc_samples, method=True, inplace="sinc_"))

from ember.ops.indexing import where  # noqa: E402
